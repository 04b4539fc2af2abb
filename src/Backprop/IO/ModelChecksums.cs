using System.Security.Cryptography;
using System.Text;

namespace Backprop.IO;

/// <summary>
/// The two SHA-256 sums a model file records in its metadata, so that damage that still parses (a changed digit of
/// <c>target_scale</c>, a changed byte in a weight) is refused rather than predicted with. Each is checked only where
/// present: files of earlier versions and of other tools have neither.
/// </summary>
internal static class ModelChecksums
{
    /// <summary>The SHA-256 of the metadata: every entry but this one, ordered by key, each as UTF-8
    /// <c>key NUL value NUL</c>. It covers <see cref="ModelFile.DataSha256Key"/>, and through it the tensor data.</summary>
    public static string MetadataSha256(IReadOnlyDictionary<string, string> metadata)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var (key, value) in metadata.Where(pair => pair.Key != ModelFile.MetadataSha256Key).OrderBy(pair => pair.Key, StringComparer.Ordinal))
            hash.AppendData(Encoding.UTF8.GetBytes($"{key}\0{value}\0"));
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    /// <summary>Refuses a file whose metadata or tensor data differs from what it recorded when it was written.</summary>
    /// <exception cref="ModelFormatException">naming the damaged part.</exception>
    public static void Verify(SafeTensorsFile file, string path)
    {
        var metadata = file.Metadata;
        const string Advice = "use an undamaged copy (a tool that changes the file on purpose must record the new SHA-256, or drop the key)";
        if (metadata.TryGetValue(ModelFile.MetadataSha256Key, out var recordedMetadata) && MetadataSha256(metadata) is var actualMetadata
            && !string.Equals(recordedMetadata, actualMetadata, StringComparison.OrdinalIgnoreCase))
            throw new ModelFormatException(path, "__metadata__",
                $"the metadata is damaged: its SHA-256 is {actualMetadata}, but __metadata__.{ModelFile.MetadataSha256Key} records {recordedMetadata}; {Advice}");
        if (metadata.TryGetValue(ModelFile.DataSha256Key, out var recordedData) && !string.Equals(recordedData, file.DataSha256, StringComparison.OrdinalIgnoreCase))
            throw new ModelFormatException(path, "data",
                $"the tensor data is damaged: its SHA-256 is {file.DataSha256}, but __metadata__.{ModelFile.DataSha256Key} records {recordedData}; {Advice}");
    }
}
