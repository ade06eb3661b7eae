"""Media on S3-compatible storage (production), with the same safety as uploads served here."""

from storages.backends.s3 import S3Storage

from .uploads import served_type


class MediaStorage(S3Storage):
    """django-storages' S3 storage; an upload that is not a picture, a sound or a video is stored
    as a download (application/octet-stream, Content-Disposition: attachment), so the bucket's
    address never renders a writer's HTML or SVG either. S3 answers byte ranges itself."""

    def get_object_parameters(self, name):
        parameters = super().get_object_parameters(name)
        content_type, inline = served_type(name)
        if not inline:
            parameters["ContentType"] = content_type
            parameters["ContentDisposition"] = "attachment"
        return parameters
