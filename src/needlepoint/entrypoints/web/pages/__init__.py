"""The pages' views: each a function ``(Visit) -> Response`` calling the ``Services`` facade."""
