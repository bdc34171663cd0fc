"""The upload form; the file's type and size are judged by the service, from its bytes."""

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import StringField
from wtforms.validators import Length, Optional

from wiki.attachments import filetypes


class UploadForm(FlaskForm):
    file = FileField(
        "File",
        validators=[FileRequired("Choose a file to attach.")],
        # Only a hint for the phone's file picker; the server reads the bytes to decide.
        render_kw={"accept": ",".join(kind.media_type for kind in filetypes.ALLOWED)},
    )
    comment = StringField(
        "Note for the history (optional)",
        validators=[Optional(), Length(max=300)],
        description="A few words, e.g. “map with the new entrance”.",
    )
