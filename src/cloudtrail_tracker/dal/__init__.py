"""Data-access layer: the only code that knows the DynamoDB key design (see ``keys``)."""
