// The tests drive bash scripts, POSIX signals and file modes: this is a Linux service.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
