"""Printable documents (PDF with embedded Chinese fonts): the public notice, decision letters,
receipts of submission and finance's payment list. Each module builds one kind; views stream them."""
