// Keeps place names readable: villages and suburbs only from villageZoom in, and a name that would overlap a more
// important one (city, town, locality, suburb, village in that order; the bigger place first) hidden until zoomed in.
function caremapLabelPlacement(map, villageZoom) {
    var rank = {city: 0, town: 1, locality: 2, suburb: 3, village: 4};
    function overlaps(a, b) {
        return a.left < b.right + 2 && b.left < a.right + 2 && a.top < b.bottom + 1 && b.top < a.bottom + 1;
    }
    function place() {
        var container = map.getContainer();
        container.classList.toggle("caremap-show-villages", map.getZoom() >= villageZoom);
        var labels = Array.prototype.slice.call(container.querySelectorAll(".caremap-label"));
        labels.forEach(function (label) { label.classList.remove("caremap-label-hidden"); });
        labels.sort(function (a, b) {
            return (rank[a.dataset.kind] - rank[b.dataset.kind]) || (b.dataset.size - a.dataset.size);
        });
        var kept = [];
        // More important names first; a name that would overlap one already shown waits for a closer zoom.
        labels.forEach(function (label) {
            var box = label.getBoundingClientRect();
            if (!box.width) { return; }
            if (kept.some(function (other) { return overlaps(box, other); })) {
                label.classList.add("caremap-label-hidden");
            } else {
                kept.push(box);
            }
        });
    }
    map.on("zoomend moveend overlayadd overlayremove", function () { setTimeout(place, 0); });
    map.whenReady(function () { setTimeout(place, 60); });
}
