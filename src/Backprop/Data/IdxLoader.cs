using System.Buffers.Binary;
using System.IO.Compression;

namespace Backprop.Data;

/// <summary>
/// Reads an MNIST-layout folder of IDX files (plain or gzip): <c>train-images-idx3-ubyte</c>,
/// <c>train-labels-idx1-ubyte</c>, <c>t10k-images-idx3-ubyte</c>, <c>t10k-labels-idx1-ubyte</c>, each
/// optionally ending in <c>.gz</c>. Pixels are scaled to [0, 1]; rows have shape [1, rows, cols].
/// </summary>
public static class IdxLoader
{
    const int ImagesMagic = 0x00000803;  // unsigned bytes, 3 dimensions
    const int LabelsMagic = 0x00000801;  // unsigned bytes, 1 dimension

    /// <summary>The four files of an MNIST-style folder, each also found gzip-compressed.</summary>
    public static readonly string[] FileNames =
        ["train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"];

    /// <summary>True when the folder holds the four IDX files (each plain or gzip); false for null, as Directory.Exists.</summary>
    public static bool IsIdxFolder(string? directory) =>
        Directory.Exists(directory) && FileNames.All(name => Find(directory, name) is not null);

    /// <summary>The train and test (t10k) splits. Class names are the label values present in either, sorted numerically.</summary>
    public static (DataSet Train, DataSet Test) LoadFolder(string directory)
    {
        ArgumentNullException.ThrowIfNull(directory);
        string[] paths = RequireFiles(directory, FileNames);
        (float[] trainPixels, int trainCount, int height, int width) = ReadImages(paths[0]);
        byte[] trainLabels = ReadLabels(paths[1], paths[0], trainCount);
        (float[] testPixels, int testCount, int testHeight, int testWidth) = ReadImages(paths[2]);
        byte[] testLabels = ReadLabels(paths[3], paths[2], testCount);
        if (testHeight != height || testWidth != width)
            throw new DataFormatException(paths[2], $"images are {testHeight}x{testWidth} but the training images are {height}x{width}");

        var present = new SortedSet<byte>(trainLabels);
        present.UnionWith(testLabels);
        string[] classNames = present.Select(v => v.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        return (Build(trainPixels, trainLabels, trainCount, height, width, classNames, paths[1]),
                Build(testPixels, testLabels, testCount, height, width, classNames, paths[3]));
    }

    /// <summary>
    /// The test (t10k) split only, for <c>eval</c> and <c>predict</c>. With <paramref name="classNames"/>
    /// (a saved model's) labels map onto those and an unknown label is an error; without, the classes are
    /// the label values present, sorted numerically.
    /// </summary>
    public static DataSet LoadTestSplit(string directory, IReadOnlyList<string>? classNames = null, bool labelsOptional = false)
    {
        ArgumentNullException.ThrowIfNull(directory);
        // NOTE: images to predict come without answers: with labelsOptional, a folder of t10k images alone is unlabelled.
        if (labelsOptional && Directory.Exists(directory) && Find(directory, FileNames[3]) is null)
        {
            (float[] images, int rows, int rowsHigh, int columnsWide) = ReadImages(RequireFiles(directory, [FileNames[2]])[0]);
            return DataSet.Unlabelled(images, rows, PixelNames(rowsHigh * columnsWide), [1, rowsHigh, columnsWide]);
        }
        string[] paths = RequireFiles(directory, [FileNames[2], FileNames[3]]);
        (float[] pixels, int count, int height, int width) = ReadImages(paths[0]);
        byte[] labels = ReadLabels(paths[1], paths[0], count);
        string[] names = classNames?.ToArray()
            ?? new SortedSet<byte>(labels).Select(v => v.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        return Build(pixels, labels, count, height, width, names, paths[1]);
    }

    static DataSet Build(float[] features, byte[] rawLabels, int count, int height, int width, string[] classNames, string labelPath)
    {
        var indexOf = new int[256];
        Array.Fill(indexOf, -1);
        for (int c = 0; c < classNames.Length; c++)
            if (byte.TryParse(classNames[c], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out byte value))
                indexOf[value] = c;
        var labels = new int[count];
        for (int i = 0; i < count; i++)
        {
            labels[i] = indexOf[rawLabels[i]];
            if (labels[i] < 0)
                throw new DataFormatException(labelPath, null, null, rawLabels[i].ToString(System.Globalization.CultureInfo.InvariantCulture),
                    $"label {rawLabels[i]} of item {i} was not seen in training (known classes: {TargetEncoder.Listing(classNames)})");
        }

        return DataSet.Classification(features, count, PixelNames(height * width), [1, height, width], labels, classNames);
    }

    static string[] PixelNames(int pixels)
    {
        string[] names = new string[pixels];
        for (int i = 0; i < names.Length; i++) names[i] = "pixel" + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return names;
    }

    static string[] RequireFiles(string directory, string[] names)
    {
        if (!Directory.Exists(directory))
            throw new DataFormatException(directory, "no such folder");
        string[] paths = names.Select(name => Find(directory, name) ?? "").ToArray();
        string[] missing = names.Where((_, i) => paths[i].Length == 0).ToArray();
        if (missing.Length > 0)
            throw new DataFormatException(directory,
                $"missing IDX file{(missing.Length > 1 ? "s" : "")}: {string.Join(", ", missing.Select(m => m + "[.gz]"))}");
        return paths;
    }

    static string? Find(string directory, string name)
    {
        string plain = Path.Combine(directory, name);
        if (File.Exists(plain)) return plain;
        string gzip = plain + ".gz";
        return File.Exists(gzip) ? gzip : null;
    }

    static (float[] Pixels, int Count, int Height, int Width) ReadImages(string path)
    {
        using Stream stream = Open(path, out long? decompressedLength);
        int[] header = ReadHeader(stream, path, ImagesMagic, dimensions: 3, "images");
        int count = header[0], height = header[1], width = header[2];
        if (count == 0) throw new DataFormatException(path, "the file holds no images");
        if (height == 0 || width == 0) throw new DataFormatException(path, $"images of {height}x{width} pixels hold nothing");
        // NOTE: three 31-bit sizes can overflow a long; saturate, the length check then rejects the claim.
        long bytes = (long)Int128.Min((Int128)count * height * width, long.MaxValue);
        string claim = $"{count} images of {height}x{width}";
        if (stream.CanSeek || decompressedLength == 16 + bytes)
        {
            float[] scaled = ReadPixels(stream, path, bytes, claim);
            RequireEnd(stream, path, claim, 16 + bytes);
            return (scaled, count, height, width);
        }
        // The size could not be checked before reading (a gzip file of several members): read the bytes
        // in growing chunks first, then scale them.
        byte[] body = ReadBody(stream, path, bytes, 16, claim);
        RequireEnd(stream, path, claim, 16 + bytes);
        var pixels = new float[body.Length];
        Scale(body, pixels);
        return (pixels, count, height, width);
    }

    // NOTE: the pixels go straight from the file into the float array through a small buffer. Holding the
    // whole file as bytes first (47 MB for Fashion-MNIST, more while it grew) kept the peak working set of
    // `train` on Fashion-MNIST above its budget; the caller has checked the size, so the array is exact.
    static float[] ReadPixels(Stream stream, string path, long bytes, string claim)
    {
        if (stream.CanSeek && stream.Length - stream.Position < bytes)
            throw Truncated(path, claim, 16 + bytes, stream.Length);
        if (bytes > Array.MaxLength)
            throw new DataFormatException(path, $"the header claims {claim}, too large to load");
        float[] pixels = LargeArrays.Floats(bytes);
        byte[] buffer = new byte[1 << 16];
        long filled = 0;
        while (filled < bytes)
        {
            int wanted = (int)Math.Min(buffer.Length, bytes - filled);
            int got = ReadFully(stream, buffer.AsSpan(0, wanted), path);
            Scale(buffer.AsSpan(0, got), pixels.AsSpan((int)filled, got));
            filled += got;
            if (got < wanted) throw Truncated(path, claim, 16 + bytes, 16 + filled);
        }
        return pixels;
    }

    static void Scale(ReadOnlySpan<byte> pixels, Span<float> scaled)
    {
        for (int i = 0; i < pixels.Length; i++) scaled[i] = pixels[i] / 255f;
    }

    static byte[] ReadLabels(string path, string imagesPath, int imageCount)
    {
        using Stream stream = Open(path, out _);
        int count = ReadHeader(stream, path, LabelsMagic, dimensions: 1, "labels")[0];
        if (count == 0) throw new DataFormatException(path, "the file holds no labels");
        if (count != imageCount)
            throw new DataFormatException(path, $"holds {count} labels but {Path.GetFileName(imagesPath)} holds {imageCount} images");
        byte[] labels = ReadBody(stream, path, count, 8, $"{count} labels");
        RequireEnd(stream, path, $"{count} labels", 8 + count);
        return labels;
    }

    // NOTE: bytes past the claimed data mean the header's count is not the file's (an edited count, two files
    // joined); reading only the first images would train on part of the data, or pair images with wrong labels.
    static void RequireEnd(Stream stream, string path, string claim, long expected)
    {
        if (stream.CanSeek)
        {
            if (stream.Length > expected)
                throw new DataFormatException(path, $"the header claims {claim} ({expected} bytes) but the file has {stream.Length} bytes");
            return;
        }
        Span<byte> probe = stackalloc byte[1];
        if (ReadFully(stream, probe, path) > 0)
            throw new DataFormatException(path, $"the header claims {claim} ({expected} bytes) but the data goes on past them");
    }

    /// <param name="decompressedLength">For a gzip file, the length its trailer records (ISIZE); it is the
    /// whole length only for a single-member file under 4 GiB, so it serves as a check, never as a promise.</param>
    static Stream Open(string path, out long? decompressedLength)
    {
        Stream file;
        try
        {
            file = File.OpenRead(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new DataFormatException(path, $"cannot read the file: {e.Message}", e);
        }
        decompressedLength = null;
        Span<byte> start = stackalloc byte[2];
        int got = file.ReadAtLeast(start, 2, throwOnEndOfStream: false);
        bool gzip = got == 2 && start[0] == 0x1f && start[1] == 0x8b;
        if (gzip && file.Length >= 18)
        {
            Span<byte> trailer = stackalloc byte[4];
            file.Position = file.Length - 4;
            file.ReadExactly(trailer);
            uint recorded = BinaryPrimitives.ReadUInt32LittleEndian(trailer);
            // Deflate expands at most ~1032:1; a larger record is forged and must not size an allocation.
            if (recorded <= 1032L * file.Length)
                decompressedLength = recorded;
        }
        file.Position = 0;
        return gzip ? new GZipStream(file, CompressionMode.Decompress) : file;
    }

    /// <returns>The dimension sizes.</returns>
    static int[] ReadHeader(Stream stream, string path, int magic, int dimensions, string what)
    {
        Span<byte> buffer = stackalloc byte[4 * (1 + dimensions)];
        int got = ReadFully(stream, buffer, path);
        if (got < 4)
            throw new DataFormatException(path, $"the file is too short to be an IDX {what} file ({got} bytes)");
        int found = BinaryPrimitives.ReadInt32BigEndian(buffer);
        if (found != magic)
            throw new DataFormatException(path, $"wrong magic number 0x{found:x8}; an IDX {what} file starts with 0x{magic:x8}");
        if (got < buffer.Length)
            throw new DataFormatException(path, $"truncated: the header needs {buffer.Length} bytes but the file has {got}");
        var sizes = new int[dimensions];
        for (int d = 0; d < dimensions; d++)
        {
            sizes[d] = BinaryPrimitives.ReadInt32BigEndian(buffer[(4 + 4 * d)..]);
            if (sizes[d] < 0) throw new DataFormatException(path, $"dimension {d + 1} has a negative size ({sizes[d]})");
        }
        return sizes;
    }

    /// <summary>
    /// Reads exactly <paramref name="bytes"/> bytes. The header's claim is never trusted for allocation:
    /// a plain file's length is checked first, and a compressed stream is read in growing chunks, so a
    /// header claiming billions of images fails as truncated instead of allocating.
    /// </summary>
    static byte[] ReadBody(Stream stream, string path, long bytes, int headerBytes, string claim)
    {
        if (stream.CanSeek)
        {
            long available = stream.Length - stream.Position;
            if (available < bytes)
                throw Truncated(path, claim, headerBytes + bytes, headerBytes + available);
        }
        // Beyond what one array can hold: read up to that limit anyway, so a short file still says "truncated".
        long limit = Math.Min(bytes, Array.MaxLength);
        var body = new byte[Math.Min(limit, 1 << 20)];
        int filled = 0;
        while (true)
        {
            filled += ReadFully(stream, body.AsSpan(filled), path);
            if (filled < body.Length) throw Truncated(path, claim, headerBytes + bytes, headerBytes + filled);
            if (filled == limit)
            {
                if (limit < bytes) throw new DataFormatException(path, $"the header claims {claim}, too large to load");
                return body;
            }
            Array.Resize(ref body, (int)Math.Min(limit, 2L * body.Length));
        }
    }

    static int ReadFully(Stream stream, Span<byte> buffer, string path)
    {
        try
        {
            return stream.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
        }
        catch (InvalidDataException e)
        {
            // NOTE: .NET reports every damaged deflate stream, and a CRC-32 that does not match, as "The archive entry was
            // compressed using an unsupported compression method.", which sends the user after the wrong problem.
            throw new DataFormatException(path, "corrupt gzip data: the compressed bytes or their CRC-32 do not check out; the file is damaged", e);
        }
    }

    static DataFormatException Truncated(string path, string claim, long expected, long actual) =>
        new(path, $"truncated: the header claims {claim} ({expected} bytes) but there are only {actual} bytes");
}
