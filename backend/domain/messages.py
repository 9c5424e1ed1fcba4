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


def _rebuild(msgid, params):
    return Message(msgid, **params)


def _(msgid: str, **params) -> Message:
    return Message(msgid, **params)
