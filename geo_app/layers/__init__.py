"""The analyst's own boundary layers: loading, dated series, and measuring places against them."""
