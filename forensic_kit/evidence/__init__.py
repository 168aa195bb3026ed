"""Evidence sources: disk images (raw, split raw, E01/Ex01) read through The Sleuth Kit."""
