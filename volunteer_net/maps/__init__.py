"""The map: public GeoJSON of front offices, upcoming shifts and school detachments, region
aggregates, and the /map/ page. It sits above every app it shows and reads them only through
their selectors."""
