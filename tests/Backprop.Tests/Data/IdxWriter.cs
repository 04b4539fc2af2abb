using System.Buffers.Binary;
using System.IO.Compression;

namespace Backprop.Tests.Data;

/// <summary>Writes tiny IDX files (optionally gzipped) for the loader tests.</summary>
internal static class IdxWriter
{
    public static byte[] Images(int count, int rows, int cols, Func<int, int, byte> pixel, int magic = 0x803, int? claimedCount = null)
    {
        var bytes = new byte[16 + count * rows * cols];
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(0), magic);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4), claimedCount ?? count);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(8), rows);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(12), cols);
        for (int i = 0; i < count; i++)
            for (int p = 0; p < rows * cols; p++)
                bytes[16 + i * rows * cols + p] = pixel(i, p);
        return bytes;
    }

    public static byte[] Labels(byte[] labels, int magic = 0x801, int? claimedCount = null)
    {
        var bytes = new byte[8 + labels.Length];
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(0), magic);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4), claimedCount ?? labels.Length);
        labels.CopyTo(bytes, 8);
        return bytes;
    }

    public static byte[] Gzip(byte[] bytes)
    {
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Fastest)) gzip.Write(bytes);
        return buffer.ToArray();
    }

    /// <summary>A complete folder: train (count 5) and t10k (count 3) sets of 2x3 images.</summary>
    public static void WriteFolder(TempFolder folder, bool gzip, byte[]? trainLabels = null, byte[]? testLabels = null)
    {
        trainLabels ??= [3, 1, 4, 1, 5];
        testLabels ??= [9, 2, 6];
        Put(folder, "train-images-idx3-ubyte", Images(trainLabels.Length, 2, 3, Pixel), gzip);
        Put(folder, "train-labels-idx1-ubyte", Labels(trainLabels), gzip);
        Put(folder, "t10k-images-idx3-ubyte", Images(testLabels.Length, 2, 3, (i, p) => Pixel(i + 100, p)), gzip);
        Put(folder, "t10k-labels-idx1-ubyte", Labels(testLabels), gzip);
    }

    public static byte Pixel(int image, int pixel) => (byte)((image * 37 + pixel * 11) % 256);

    public static void Put(TempFolder folder, string name, byte[] bytes, bool gzip) =>
        folder.WriteBytes(gzip ? name + ".gz" : name, gzip ? Gzip(bytes) : bytes);
}
