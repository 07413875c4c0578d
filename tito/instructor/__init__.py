"""Instructor code: an nbgrader course made from the modules (`tito nbgrader …`)."""
