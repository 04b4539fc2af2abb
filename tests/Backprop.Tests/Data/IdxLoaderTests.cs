using System.Buffers.Binary;
using Backprop.Data;

namespace Backprop.Tests.Data;

public sealed class IdxLoaderTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_written_folder_reads_back_scaled_to_unit_range(bool gzip)
    {
        using var folder = new TempFolder();
        IdxWriter.WriteFolder(folder, gzip);

        (DataSet train, DataSet test) = IdxLoader.LoadFolder(folder.Path);

        Assert.Equal(5, train.Rows);
        Assert.Equal(3, test.Rows);
        Assert.Equal([1, 2, 3], train.InputShape);
        Assert.Equal(6, train.FeatureCount);
        for (int i = 0; i < 5; i++)
            for (int p = 0; p < 6; p++)
                Assert.Equal(IdxWriter.Pixel(i, p) / 255f, train.Features[i * 6 + p], 6);
        Assert.Equal(IdxWriter.Pixel(102, 5) / 255f, test.Features[2 * 6 + 5], 6);
        Assert.All(train.Features, x => Assert.InRange(x, 0f, 1f));
        // Classes are the labels of both splits, sorted numerically, shared by both.
        string[] classes = ["1", "2", "3", "4", "5", "6", "9"];
        Assert.Equal(classes, train.ClassNames!);
        Assert.Same(train.ClassNames, test.ClassNames);
        Assert.Equal([2, 0, 3, 0, 4], train.Labels!);
        Assert.Equal([6, 1, 5], test.Labels!);
    }

    [Fact]
    public void Gzip_is_detected_by_its_magic_bytes_even_without_the_extension()
    {
        using var folder = new TempFolder();
        IdxWriter.WriteFolder(folder, gzip: false);
        folder.WriteBytes("t10k-images-idx3-ubyte", IdxWriter.Gzip(File.ReadAllBytes(Path.Combine(folder.Path, "t10k-images-idx3-ubyte"))));

        DataSet test = IdxLoader.LoadTestSplit(folder.Path);

        Assert.Equal(3, test.Rows);
        Assert.Equal(["2", "6", "9"], test.ClassNames!);
    }

    [Fact]
    public void The_test_split_maps_labels_onto_a_model_classes()
    {
        using var folder = new TempFolder();
        IdxWriter.WriteFolder(folder, gzip: true);

        DataSet test = IdxLoader.LoadTestSplit(folder.Path, ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"]);

        Assert.Equal([9, 2, 6], test.Labels!);
    }

    [Fact]
    public void A_test_label_the_model_never_saw_is_an_error()
    {
        using var folder = new TempFolder();
        IdxWriter.WriteFolder(folder, gzip: false);

        var error = Assert.Throws<DataFormatException>(() => IdxLoader.LoadTestSplit(folder.Path, ["0", "1", "2"]));

        Assert.Contains("t10k-labels-idx1-ubyte", error.Message);
        Assert.Contains("label 9", error.Message);
    }

    [Fact]
    public void Missing_files_are_named()
    {
        using var folder = new TempFolder();
        IdxWriter.WriteFolder(folder, gzip: false);
        File.Delete(Path.Combine(folder.Path, "train-labels-idx1-ubyte"));
        File.Delete(Path.Combine(folder.Path, "t10k-images-idx3-ubyte"));

        var error = Assert.Throws<DataFormatException>(() => IdxLoader.LoadFolder(folder.Path));

        Assert.Equal($"{folder.Path}: missing IDX files: train-labels-idx1-ubyte[.gz], t10k-images-idx3-ubyte[.gz]", error.Message);
        Assert.False(IdxLoader.IsIdxFolder(folder.Path));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_wrong_magic_number_is_an_error_naming_the_file(bool gzip)
    {
        using var folder = new TempFolder();
        IdxWriter.WriteFolder(folder, gzip);
        IdxWriter.Put(folder, "t10k-labels-idx1-ubyte", IdxWriter.Labels([9, 2, 6], magic: 0x803), gzip);

        var error = Assert.Throws<DataFormatException>(() => IdxLoader.LoadTestSplit(folder.Path));

        Assert.Contains("t10k-labels-idx1-ubyte", error.FilePath);
        Assert.Contains("wrong magic number 0x00000803", error.Message);
    }

    [Theory]
    [InlineData(-8)] // the CRC-32 of the uncompressed bytes
    [InlineData(-5)]
    [InlineData(-4)] // their length
    public void A_damaged_gzip_file_is_an_error_that_says_so_naming_the_file(int offset)
    {
        using var folder = new TempFolder();
        IdxWriter.WriteFolder(folder, gzip: true);
        byte[] compressed = IdxWriter.Gzip(IdxWriter.Images(3, 2, 3, IdxWriter.Pixel));
        compressed[offset < 0 ? compressed.Length + offset : offset] ^= 0x55;
        string path = folder.WriteBytes("t10k-images-idx3-ubyte.gz", compressed);

        var error = Assert.Throws<DataFormatException>(() => IdxLoader.LoadTestSplit(folder.Path));

        Assert.Equal($"{path}: corrupt gzip data: the compressed bytes or their CRC-32 do not check out; the file is damaged", error.Message);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_truncated_image_file_is_an_error(bool gzip)
    {
        using var folder = new TempFolder();
        IdxWriter.WriteFolder(folder, gzip);
        byte[] images = IdxWriter.Images(3, 2, 3, IdxWriter.Pixel);
        IdxWriter.Put(folder, "t10k-images-idx3-ubyte", images[..^4], gzip);

        var error = Assert.Throws<DataFormatException>(() => IdxLoader.LoadTestSplit(folder.Path));

        Assert.Contains("t10k-images-idx3-ubyte", error.Message);
        Assert.Contains("truncated", error.Message);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void An_image_file_longer_than_its_header_claims_is_an_error_rather_than_read_in_part(bool gzip)
    {
        using var folder = new TempFolder();
        IdxWriter.WriteFolder(folder, gzip);
        // Four images' bytes under a header that claims three: the count was edited, or two files were joined.
        IdxWriter.Put(folder, "t10k-images-idx3-ubyte", IdxWriter.Images(4, 2, 3, IdxWriter.Pixel, claimedCount: 3), gzip);

        var error = Assert.Throws<DataFormatException>(() => IdxLoader.LoadTestSplit(folder.Path));

        Assert.Contains("t10k-images-idx3-ubyte", error.FilePath);
        Assert.StartsWith("the header claims 3 images of 2x3 (34 bytes) but ", error.Problem);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_label_file_longer_than_its_header_claims_is_an_error(bool gzip)
    {
        using var folder = new TempFolder();
        IdxWriter.WriteFolder(folder, gzip);
        IdxWriter.Put(folder, "train-labels-idx1-ubyte", IdxWriter.Labels([3, 1, 4, 1, 5, 9], claimedCount: 5), gzip);

        var error = Assert.Throws<DataFormatException>(() => IdxLoader.LoadFolder(folder.Path));

        Assert.Contains("train-labels-idx1-ubyte", error.FilePath);
        Assert.Equal(gzip ? "the header claims 5 labels (13 bytes) but the data goes on past them"
            : "the header claims 5 labels (13 bytes) but the file has 14 bytes", error.Problem);
    }

    [Fact]
    public void A_truncated_header_is_an_error()
    {
        using var folder = new TempFolder();
        IdxWriter.WriteFolder(folder, gzip: false);
        IdxWriter.Put(folder, "t10k-images-idx3-ubyte", IdxWriter.Images(3, 2, 3, IdxWriter.Pixel)[..10], gzip: false);

        var error = Assert.Throws<DataFormatException>(() => IdxLoader.LoadTestSplit(folder.Path));

        Assert.Contains("truncated", error.Message);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Pixels_go_straight_into_the_float_array_without_a_copy_of_the_file(bool gzip)
    {
        // Holding the file's bytes as well (and the arrays it grew through) pushed the peak working set of
        // training on Fashion-MNIST over its budget.
        using var folder = new TempFolder();
        IdxWriter.WriteFolder(folder, gzip);
        const int count = 4000;
        IdxWriter.Put(folder, "t10k-images-idx3-ubyte", IdxWriter.Images(count, 28, 28, IdxWriter.Pixel), gzip);
        IdxWriter.Put(folder, "t10k-labels-idx1-ubyte", IdxWriter.Labels(new byte[count]), gzip);

        long before = GC.GetAllocatedBytesForCurrentThread();
        DataSet test = IdxLoader.LoadTestSplit(folder.Path);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        long floats = count * 784L * sizeof(float);
        Assert.Equal(count * 784, test.Features.Length);
        Assert.InRange(allocated, floats, floats + count * 784L / 4 + (1 << 20));
    }

    [Fact]
    public void A_gzip_file_of_several_members_reads_back_whole()
    {
        // The gzip trailer records only the last member's length, so the loader cannot size the pixels from it.
        using var folder = new TempFolder();
        IdxWriter.WriteFolder(folder, gzip: false);
        byte[] images = IdxWriter.Images(3, 2, 3, (i, p) => IdxWriter.Pixel(i + 100, p));
        folder.WriteBytes("t10k-images-idx3-ubyte.gz", [.. IdxWriter.Gzip(images[..20]), .. IdxWriter.Gzip(images[20..])]);
        File.Delete(Path.Combine(folder.Path, "t10k-images-idx3-ubyte"));

        DataSet test = IdxLoader.LoadTestSplit(folder.Path);

        Assert.Equal(3, test.Rows);
        for (int p = 0; p < 6; p++)
            Assert.Equal(IdxWriter.Pixel(102, p) / 255f, test.Features[2 * 6 + p], 6);
    }

    [Fact]
    public void A_gzip_trailer_forged_to_promise_the_claimed_length_is_reported_as_corrupt()
    {
        using var folder = new TempFolder();
        IdxWriter.WriteFolder(folder, gzip: true);
        byte[] gzip = IdxWriter.Gzip(IdxWriter.Images(3, 2, 3, IdxWriter.Pixel, claimedCount: 30));
        BinaryPrimitives.WriteUInt32LittleEndian(gzip.AsSpan(gzip.Length - 4), 16 + 30 * 6);  // forged ISIZE
        folder.WriteBytes("t10k-images-idx3-ubyte.gz", gzip);

        var error = Assert.Throws<DataFormatException>(() => IdxLoader.LoadTestSplit(folder.Path));

        Assert.Contains("corrupt gzip data", error.Message);  // the stream checks its own trailer
    }

    [Fact]
    public void A_gzip_trailer_forged_to_match_a_huge_claim_does_not_size_an_allocation()
    {
        using var folder = new TempFolder();
        IdxWriter.WriteFolder(folder, gzip: true);
        const int claimed = 2_000_000;  // 1.6 GB of pixels, within a 32-bit trailer's reach
        byte[] gzip = IdxWriter.Gzip(IdxWriter.Images(3, 28, 28, IdxWriter.Pixel, claimedCount: claimed));
        BinaryPrimitives.WriteUInt32LittleEndian(gzip.AsSpan(gzip.Length - 4), 16 + claimed * 784u);
        folder.WriteBytes("t10k-images-idx3-ubyte.gz", gzip);

        long before = GC.GetAllocatedBytesForCurrentThread();
        var error = Assert.Throws<DataFormatException>(() => IdxLoader.LoadTestSplit(folder.Path));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Contains("corrupt gzip data", error.Message);  // the stream checks its own trailer
        Assert.InRange(allocated, 0, 16L << 20);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_header_claiming_two_billion_images_fails_fast_without_allocating_them(bool gzip)
    {
        using var folder = new TempFolder();
        IdxWriter.WriteFolder(folder, gzip);
        IdxWriter.Put(folder, "t10k-images-idx3-ubyte", IdxWriter.Images(3, 28, 28, IdxWriter.Pixel, claimedCount: int.MaxValue), gzip);
        IdxWriter.Put(folder, "t10k-labels-idx1-ubyte", IdxWriter.Labels([1, 2, 3], claimedCount: int.MaxValue), gzip);

        long before = GC.GetAllocatedBytesForCurrentThread();
        var error = Assert.Throws<DataFormatException>(() => IdxLoader.LoadTestSplit(folder.Path));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Contains("truncated", error.Message);
        Assert.InRange(allocated, 0, 16L << 20);
    }

    [Fact]
    public void A_header_whose_sizes_overflow_a_long_is_truncated_not_negative()
    {
        using var folder = new TempFolder();
        IdxWriter.WriteFolder(folder, gzip: false);
        byte[] images = IdxWriter.Images(1, 1, 1, IdxWriter.Pixel);
        BinaryPrimitives.WriteInt32BigEndian(images.AsSpan(4), int.MaxValue);
        BinaryPrimitives.WriteInt32BigEndian(images.AsSpan(8), int.MaxValue);
        BinaryPrimitives.WriteInt32BigEndian(images.AsSpan(12), int.MaxValue);
        IdxWriter.Put(folder, "t10k-images-idx3-ubyte", images, gzip: false);

        var error = Assert.Throws<DataFormatException>(() => IdxLoader.LoadTestSplit(folder.Path));

        Assert.Contains("truncated", error.Message);
    }

    [Fact]
    public void Image_and_label_counts_must_match()
    {
        using var folder = new TempFolder();
        IdxWriter.WriteFolder(folder, gzip: false);
        IdxWriter.Put(folder, "train-labels-idx1-ubyte", IdxWriter.Labels([3, 1, 4, 1]), gzip: false);

        var error = Assert.Throws<DataFormatException>(() => IdxLoader.LoadFolder(folder.Path));

        Assert.Equal(Path.Combine(folder.Path, "train-labels-idx1-ubyte"), error.FilePath);
        Assert.EndsWith("holds 4 labels but train-images-idx3-ubyte holds 5 images", error.Message);
    }

    [Fact]
    public void Zero_labels_is_an_error()
    {
        using var folder = new TempFolder();
        IdxWriter.WriteFolder(folder, gzip: false);
        IdxWriter.Put(folder, "t10k-images-idx3-ubyte", IdxWriter.Images(0, 2, 3, IdxWriter.Pixel), gzip: false);
        IdxWriter.Put(folder, "t10k-labels-idx1-ubyte", IdxWriter.Labels([]), gzip: false);

        var error = Assert.Throws<DataFormatException>(() => IdxLoader.LoadTestSplit(folder.Path));

        Assert.Contains("holds no", error.Message);
    }

    [Fact]
    public void Fashion_MNIST_loads_when_installed()
    {
        const string directory = "/usr/share/datasets/fashion-mnist";
        if (!IdxLoader.IsIdxFolder(directory)) return;  // not installed on this machine: nothing to check

        (DataSet train, DataSet test) = IdxLoader.LoadFolder(directory);

        Assert.Equal(60000, train.Rows);
        Assert.Equal(10000, test.Rows);
        Assert.Equal([1, 28, 28], train.InputShape);
        Assert.Equal(10, train.ClassCount);
        Assert.Equal(["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"], test.ClassNames!);
        Assert.Equal(6000, train.Labels!.Count(label => label == 0));
    }
}
