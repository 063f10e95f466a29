"""What the tests share: fakes, helpers, fixtures and data. The only test package others import."""
