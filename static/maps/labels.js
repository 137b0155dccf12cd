// Text labels (place names) added to a layer; each is set as text, never as HTML.
function caremapLabels(group, labels) {
    labels.forEach(function (label) {
        var text = document.createElement("span");
        text.className = "caremap-label caremap-label-" + label.kind;
        text.dataset.kind = label.kind;
        text.dataset.size = label.size;
        text.textContent = label.text;  // text, never HTML
        L.marker([label.lat, label.lon], {
            icon: L.divIcon({html: text, className: "caremap-label-anchor", iconSize: null}),
            interactive: false, keyboard: false
        }).addTo(group);
    });
}
