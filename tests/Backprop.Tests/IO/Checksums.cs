using Backprop.IO;

namespace Backprop.Tests.IO;

/// <summary>For tests that change a saved model on purpose, as a hand or another tool would.</summary>
internal static class Checksums
{
    /// <summary>The metadata without the file's SHA-256 sums, which would report any change before the check under test.</summary>
    public static Dictionary<string, string> Stripped(IReadOnlyDictionary<string, string> metadata) =>
        metadata.Where(pair => pair.Key is not (ModelFile.DataSha256Key or ModelFile.TensorsSha256Key or ModelFile.MetadataSha256Key)).ToDictionary();
}
