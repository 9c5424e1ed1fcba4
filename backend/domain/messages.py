"""Messages of the plain-Python domain, translatable without Flask: `_("...%(x)s...", x=1)`
returns a `Message`, the English text (what str() and logs show) that also keeps its msgid
and values, so the API's error body can serve it in the request's language
(backend/i18n.translated). `_` marks the msgids for `make messages`."""


class Message(str):
    msgid: str
    params: dict

    def __new__(cls, msgid: str, **params):
        message = super().__new__(cls, msgid % params if params else msgid)
        message.msgid, message.params = msgid, params
        return message

    def __reduce__(self):
        return _rebuild, (self.msgid, self.params)


class Named(str):
    """A value of a message that people read by its name: its code in English (what str()
    gives), its Chinese `name` in Chinese (a state, an action: 办理中, 签收)."""
    name: str

    def __new__(cls, code: str, name: str):
        value = super().__new__(cls, code)
        value.name = name
        return value

    def __reduce__(self):
        return Named, (str(self), self.name)


def named_list(codes, names, separator: str = "、") -> Named:
    """Several named values as one (", " between codes, "、" between names)."""
    return Named(", ".join(codes), separator.join(names))


def _rebuild(msgid, params):
    return Message(msgid, **params)


def _(msgid: str, **params) -> Message:
    return Message(msgid, **params)
