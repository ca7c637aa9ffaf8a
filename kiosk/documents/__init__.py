"""Printable documents (证明, 告知书) rendered independently of any printer driver."""
