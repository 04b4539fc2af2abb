using System.Security.Cryptography;
using System.Text;

namespace Backprop.IO;

/// <summary>
/// The three SHA-256 sums a model file records in its metadata, so that damage that still parses (a changed digit of
/// <c>target_scale</c>, a changed byte in a weight, two same-shaped weights' names swapped) is refused rather than
/// predicted with. Each is checked only where present: files of earlier versions and of other tools lack them.
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

    /// <summary>The SHA-256 of the tensor table: every tensor in name order, each as UTF-8 <c>name NUL dtype NUL shape NUL</c>
    /// (the sizes joined by commas) followed by its bytes.</summary>
    /// <remarks>NOTE: <see cref="ModelFile.DataSha256Key"/> covers the bytes but not which tensor they belong to: with the
    /// names of two same-shaped weights swapped in the header, every byte and every metadata entry was as recorded, and the
    /// model loaded and predicted at chance.</remarks>
    public static string TensorsSha256(IReadOnlyDictionary<string, SafeTensor> tensors)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var (name, tensor) in tensors.OrderBy(pair => pair.Key, StringComparer.Ordinal))
        {
            hash.AppendData(Encoding.UTF8.GetBytes($"{name}\0{tensor.DType}\0{string.Join(',', tensor.Shape)}\0"));
            hash.AppendData(tensor.Bytes);
        }
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
        if (metadata.TryGetValue(ModelFile.TensorsSha256Key, out var recordedTensors) && TensorsSha256(file.Tensors) is var actualTensors
            && !string.Equals(recordedTensors, actualTensors, StringComparison.OrdinalIgnoreCase))
            throw new ModelFormatException(path, "tensors",
                $"the tensor table is damaged (a tensor's name, dtype or shape no longer goes with its bytes): its SHA-256 is {actualTensors}, but __metadata__.{ModelFile.TensorsSha256Key} records {recordedTensors}; {Advice}");
    }
}
