"""Former home of the claim checker, kept so ``from geo_app.check.claims import claims_for`` still works.

The checker is split into the modules of :mod:`geo_app.check`; import from the package
(``from geo_app.check import claims_for``). :mod:`geo_app.pipeline` still imports this
module; once it imports the package, this module can go.
"""

from geo_app.check import claims_for

__all__ = ["claims_for"]
