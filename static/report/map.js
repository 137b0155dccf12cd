// The HTML coverage report's interactive map (analyses/report/html_page.py inlines this file in the report):
// areas coloured by access, gaps outlined, homes, suggested sites and towns, from the JSON element
// #caremap-map-data. Every label is set as text (textContent), never as HTML.
(function () {
  var data = JSON.parse(document.getElementById('caremap-map-data').textContent);
  function box(lines) {
    var element = document.createElement('div');
    lines.forEach(function (line, index) {
      var part = document.createElement(index ? 'div' : 'strong');
      part.textContent = line;
      element.appendChild(part);
    });
    return element;
  }
  function point(feature) { return [feature.geometry.coordinates[1], feature.geometry.coordinates[0]]; }
  var map = L.map('caremap-map', {attributionControl: false, zoomSnap: 0.25});
  L.control.attribution({prefix: false}).addAttribution(data.credit).addTo(map);
  var areas = L.geoJSON(data.areas, {
    style: function (f) { return {color: '#888', weight: 0.5, fillColor: f.properties.colour, fillOpacity: 0.75}; },
    onEachFeature: function (f, layer) { layer.bindTooltip(box(f.properties.lines), {sticky: true}); }
  }).addTo(map);
  var gaps = L.geoJSON({type: 'FeatureCollection', features: data.areas.features.filter(function (f) {
    return f.properties.gap; })}, {style: {color: '#d7301f', weight: 3, fill: false}, interactive: false}).addTo(map);
  var homes = L.layerGroup(data.homes.features.map(function (f) {
    return L.circleMarker(point(f), {radius: f.properties.radius, color: '#fff', weight: 1, fillColor: f.properties.colour,
      fillOpacity: 0.9}).bindTooltip(box(f.properties.lines));
  })).addTo(map);
  var sites = L.layerGroup(data.sites.features.map(function (f) {
    return L.circleMarker(point(f), {radius: 10, color: '#fff', weight: 2, fillColor: '#6a3d9a', fillOpacity: 0.95})
      .bindTooltip(box(f.properties.lines));
  })).addTo(map);
  // Towns above every other layer, their labels set off to the right so that neither hides the marker.
  map.createPane('towns').style.zIndex = 650;
  var towns = L.layerGroup(data.towns.features.map(function (f) {
    return L.circleMarker(point(f), {pane: 'towns', radius: 4, color: '#fff', weight: 1.5, fillColor: '#111',
                                      fillOpacity: 1})
      .bindTooltip(box(f.properties.lines), {permanent: true, direction: 'right', offset: [8, 0],
                                             className: 'town-label'});
  })).addTo(map);
  L.control.layers(null, {'Gaps (red outline)': gaps, 'Care homes': homes, 'Suggested sites': sites, 'Towns': towns},
                   {collapsed: false}).addTo(map);
  L.control.scale({imperial: true}).addTo(map);
  var legend = L.control({position: 'bottomright'});
  legend.onAdd = function () {
    var element = L.DomUtil.create('div', 'map-legend');
    data.legend.forEach(function (entry) {
      var row = document.createElement('div');
      var swatch = document.createElement('span');
      swatch.className = 'swatch';
      swatch.style.background = entry[0];
      row.appendChild(swatch);
      row.appendChild(document.createTextNode(entry[1]));
      element.appendChild(row);
    });
    return element;
  };
  legend.addTo(map);
  map.fitBounds(areas.getBounds());
})();
