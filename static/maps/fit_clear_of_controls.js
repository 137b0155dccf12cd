// Fits a map to bounds ([[south, west], [north, east]]) so that no control (legend, layer switcher, labels, scale)
// covers them, with margin pixels to spare; again when the window is resized.
function caremapFitClearOfControls(map, boundsArray, margin) {
    var bounds = L.latLngBounds(boundsArray);
    var tries = 0;
    function corners() {
        // How far the controls in each corner reach into the map, across and down (pixels).
        var frame = map.getContainer().getBoundingClientRect(), found = {};
        ["top", "bottom"].forEach(function (v) {
            ["left", "right"].forEach(function (h) {
                var corner = map.getContainer().querySelector(".leaflet-" + v + ".leaflet-" + h);
                var across = 0, down = 0;
                if (corner) {
                    Array.prototype.forEach.call(corner.children, function (control) {
                        var box = control.getBoundingClientRect();
                        if (!box.width || !box.height) { return; }
                        across = Math.max(across, h === "left" ? box.right - frame.left : frame.right - box.left);
                        down = Math.max(down, v === "top" ? box.bottom - frame.top : frame.bottom - box.top);
                    });
                }
                found[v + " " + h] = [across, down];
            });
        });
        return found;
    }
    function fit() {
        var size = map.getSize();
        if (!size.x || !size.y) { setTimeout(fit, 100); return; }
        var found = corners(), names = Object.keys(found), best = null;
        // Each corner's controls are kept clear of the council either beside it or above/below it: try every
        // combination and keep the one that shows the council largest.
        for (var choice = 0; choice < 16; choice++) {
            var pad = {top: margin, bottom: margin, left: margin, right: margin};
            names.forEach(function (name, i) {
                var extent = found[name], side = name.split(" ");
                if (!extent[0] || !extent[1]) { return; }
                if ((choice >> i) & 1) { pad[side[1]] = Math.max(pad[side[1]], extent[0] + margin); }
                else { pad[side[0]] = Math.max(pad[side[0]], extent[1] + margin); }
            });
            if (pad.left + pad.right >= size.x - 40 || pad.top + pad.bottom >= size.y - 40) { continue; }
            var zoom = map.getBoundsZoom(bounds, false, L.point(pad.left + pad.right, pad.top + pad.bottom));
            if (isFinite(zoom) && (!best || zoom > best.zoom)) { best = {zoom: zoom, pad: pad}; }
        }
        if (!best) {  // the map is not laid out yet (or smaller than its controls): try again shortly
            if (tries++ < 50) { setTimeout(fit, 100); }
            return;
        }
        map.fitBounds(bounds, {paddingTopLeft: [best.pad.left, best.pad.top],
                               paddingBottomRight: [best.pad.right, best.pad.bottom], animate: false});
        map.getContainer().setAttribute("data-caremap-fitted", "1");
    }
    map.whenReady(function () { setTimeout(fit, 0); });
    window.addEventListener("resize", function () { setTimeout(fit, 50); });
}
