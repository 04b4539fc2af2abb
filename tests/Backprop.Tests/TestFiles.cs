using System.Runtime.CompilerServices;

namespace Backprop.Tests;

/// <summary>Files committed beside the tests (read from the source tree, so snapshots can be updated in place).</summary>
internal static class TestFiles
{
    private static string Root([CallerFilePath] string thisFile = "") => System.IO.Path.GetDirectoryName(thisFile)!;

    /// <summary>A path relative to tests/Backprop.Tests.</summary>
    public static string Path(string relative) => System.IO.Path.Combine(Root(), relative);

    public static string ReadText(string relative) => File.ReadAllText(Path(relative)).ReplaceLineEndings("\n");

    /// <summary>A fresh directory under the system temp folder, removed on dispose.</summary>
    public sealed class TemporaryDirectory : IDisposable
    {
        public string Path { get; } = Directory.CreateTempSubdirectory("backprop-tests-").FullName;

        public string File(string name) => System.IO.Path.Combine(Path, name);

        public void Dispose()
        {
            try { Directory.Delete(Path, recursive: true); } catch (IOException) { }
        }
    }

    /// <summary>A named pipe at <paramref name="path"/> that offers <paramref name="offered"/> zero bytes, as
    /// `head -c N /dev/zero` does, until its reader leaves; <see cref="ZerosPipe.Written"/> counts what was taken.</summary>
    public sealed class ZerosPipe
    {
        private long written;

        public ZerosPipe(string path, long offered)
        {
            Assert.Equal(0, MakeFifo(path));
            Writer = Task.Run(() =>
            {
                var zeros = new byte[1 << 16];
                try
                {
                    using var stream = new FileStream(path, FileMode.Open, FileAccess.Write);
                    for (; written < offered; written += zeros.Length) stream.Write(zeros);
                }
                catch (IOException) { } // the reader has gone: a broken pipe
            });
        }

        /// <summary>Ends when the reader has left or every byte was taken.</summary>
        public Task Writer { get; }

        public long Written => Interlocked.Read(ref written);
    }

    /// <summary>Makes a named pipe (rw-r--r--) at <paramref name="path"/>; returns mkfifo's result, 0 on success.</summary>
    public static int MakeFifo(string path) => MakeFifo(path, 0b110_100_100);

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "mkfifo")]
    private static extern int MakeFifo([System.Runtime.InteropServices.MarshalAs(System.Runtime.InteropServices.UnmanagedType.LPUTF8Str)] string path, uint mode);
}
