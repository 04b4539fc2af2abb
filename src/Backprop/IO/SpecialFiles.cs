using System.Runtime.InteropServices;

namespace Backprop.IO;

/// <summary>Tells what a rename must not replace (devices, pipes, terminals) from regular files.</summary>
internal static unsafe class SpecialFiles
{
    /// <summary>
    /// Whether <paramref name="fullPath"/> names an existing entry of /dev or /proc (/dev/null, /dev/stdout), or on
    /// Linux an existing device, pipe or socket anywhere (symbolic links followed). A regular file elsewhere, a folder
    /// or nothing is not.
    /// </summary>
    public static bool IsSpecial(string fullPath)
    {
        if (!File.Exists(fullPath))
            return false;
        if (fullPath.StartsWith("/dev/", StringComparison.Ordinal) || fullPath.StartsWith("/proc/", StringComparison.Ordinal))
            return true;
        if (!OperatingSystem.IsLinux())
            return false;
        byte* status = stackalloc byte[StatusSize];
        try
        {
            if (Statx(CurrentFolder, fullPath, 0, WantType, status) != 0)
                return false; // nothing we may look at: the write creates or replaces a regular file
        }
        catch (Exception exception) when (exception is EntryPointNotFoundException or DllNotFoundException)
        {
            return false; // a C library without statx (glibc before 2.28): only /dev and /proc are known
        }
        int type = *(ushort*)(status + ModeOffset) & TypeMask;
        return type is not (RegularFile or Folder);
    }

    // struct statx has the same layout on every Linux architecture, unlike struct stat: stx_mode is the u16 at byte 28.
    private const int StatusSize = 256, ModeOffset = 28, CurrentFolder = -100;
    private const uint WantType = 1;
    private const int TypeMask = 0xF000, RegularFile = 0x8000, Folder = 0x4000;

    [DllImport("libc", EntryPoint = "statx")]
    private static extern int Statx(int folder, [MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags, uint mask, byte* status);
}
