def field_messages(label: str, **overrides: str) -> dict[str, str]:
    """Chinese error messages for a serializer field that name the field, as one sentence each.

    DRF fills `{max_length}`, `{min_length}`, `{max_value}` and `{min_value}` itself.
    """
    messages = {
        "required": f"{label}不能为空",
        "null": f"{label}不能为空",
        "blank": f"{label}不能为空",
        "invalid": f"{label}格式不正确",
        "max_length": f"{label}长度不能超过{{max_length}}个字符",
        "min_length": f"{label}长度至少为{{min_length}}个字符",
        "max_value": f"{label}不能大于{{max_value}}",
        "min_value": f"{label}不能小于{{min_value}}",
        "invalid_choice": f"{label}的取值无效",
    }
    messages.update(overrides)
    return messages
