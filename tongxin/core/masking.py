"""Masking of personal data for lists, logs and audit rows."""


def mask_id_number(value: str | None) -> str:
    if not value:
        return ""
    if len(value) <= 7:
        return "*" * len(value)
    return f"{value[:3]}{'*' * (len(value) - 7)}{value[-4:]}"


def mask_phone(value: str | None) -> str:
    if not value:
        return ""
    if len(value) <= 7:
        return "*" * len(value)
    return f"{value[:3]}{'*' * (len(value) - 7)}{value[-4:]}"


# Field names whose values are personal data, masked wherever they are logged.
SENSITIVE_FIELDS = {"id_number": mask_id_number, "phone": mask_phone}


def mask_fields(data: dict) -> dict:
    return {key: SENSITIVE_FIELDS[key](value) if key in SENSITIVE_FIELDS else value for key, value in data.items()}
