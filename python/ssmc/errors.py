"""The exceptions ssmc raises.

Every error of the runtime and the compiler is an :class:`Error` (a
``RuntimeError``); the subclasses follow the runtime's status codes, and the
ones that mean "the caller passed something wrong" are also ``ValueError``
(or ``LookupError``), so ordinary Python handlers catch them too::

    Error(RuntimeError)
    ├── InvalidArgumentError(Error, ValueError)   wrong input shape/dtype/count,
    │                                             unknown name or option
    ├── NotFoundError(Error, LookupError)         missing file or function
    ├── UnavailableError                          device/driver/memory not available
    │   └── DeviceUnavailableError                known device kind this build or
    │                                             machine cannot drive ('cuda:0')
    ├── DataLossError(Error, ValueError)          corrupt or truncated .ssmb/.npy/
    │                                             .safetensors bytes
    ├── FailedPreconditionError                   e.g. unsupported format version
    ├── OutOfRangeError
    ├── UnimplementedError(Error, NotImplementedError)
    ├── InternalError                             a bug in ssmc
    └── CompileError                              compilation failed; the message
                                                  holds every MLIR diagnostic

The extension modules raise these very classes (they look them up here when
they are imported), so this module has no dependency on a build.
"""

__all__ = [
    "Error", "InvalidArgumentError", "NotFoundError", "UnavailableError",
    "DeviceUnavailableError", "DataLossError", "FailedPreconditionError",
    "OutOfRangeError", "UnimplementedError", "InternalError", "CompileError",
]


class Error(RuntimeError):
    """Base class of every ssmc error."""


class InvalidArgumentError(Error, ValueError):
    """The caller passed something wrong: an input of the wrong shape, dtype
    or count, an unknown model, option or device name, a bad weight."""


class NotFoundError(Error, LookupError):
    """A file, function or symbol does not exist."""


class UnavailableError(Error):
    """A device, driver library or resource (host memory) is not available."""


class DeviceUnavailableError(UnavailableError):
    """The device kind is known but cannot be driven here: e.g. 'cuda:0' or
    'hip:0' with a runtime built without that driver, or without the GPU or
    driver library on this machine."""


class DataLossError(Error, ValueError):
    """A file or byte string is corrupt or truncated (.ssmb, .npy,
    .safetensors)."""


class FailedPreconditionError(Error):
    """The operation cannot run in this state, e.g. an artifact of an
    unsupported format version."""


class OutOfRangeError(Error):
    """An index or offset past the end."""


class UnimplementedError(Error, NotImplementedError):
    """Not supported by this build."""


class InternalError(Error):
    """A bug in ssmc: please report it with the message."""


class CompileError(Error):
    """Compilation failed. The message holds every diagnostic MLIR reported
    (``<file>:<line>:<col>: error: ...`` with the source line, for IR given
    as text)."""
