// A Leaflet control holding pre-escaped HTML (a legend, the travel-method label), added to a map.
// Part of the map's own script (ui/maps.py inlines it), so a change of its text redraws the map in Streamlit.
function caremapHtmlControl(map, position, cssClass, body) {
    var control = L.control({position: position});
    control.onAdd = function () {
        var box = L.DomUtil.create("div", cssClass);
        box.innerHTML = body;  // escaped by ui/maps.py before it gets here
        L.DomEvent.disableClickPropagation(box);
        return box;
    };
    control.addTo(map);
}
