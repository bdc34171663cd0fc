"""Files attached to wiki pages: images and PDFs, kept with every version."""
