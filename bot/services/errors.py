"""Domain errors carry a code; handlers turn the code into Spanish text from content/."""


class ServiceError(Exception):
    domain = "error"

    def __init__(self, code: str, **details: object) -> None:
        super().__init__(code)
        self.code = code
        self.details = details

    @property
    def text_key(self) -> str:
        return f"{self.domain}.{self.code}"


class EnrollmentError(ServiceError):
    domain = "enroll_error"


class ProfileError(ServiceError):
    domain = "profile_error"
