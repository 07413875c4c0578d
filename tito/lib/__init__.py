"""The logic behind `tito`'s commands: small modules, one concern each, no CLI code."""
