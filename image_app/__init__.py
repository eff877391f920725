"""A Glance v2 subset: image records, the image store, upload and download."""
