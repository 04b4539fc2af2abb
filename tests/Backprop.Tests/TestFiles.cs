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
}
