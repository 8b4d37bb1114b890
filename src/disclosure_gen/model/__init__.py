"""Stage 2, model: the input format (pydantic), money in Decimal 万元, classification codes and the
Chinese labels of every field."""
