using Backprop.IO;

namespace Backprop.Tests.IO;

public sealed class BoundedFileTests : IDisposable
{
    private readonly TestFiles.TemporaryDirectory directory = new();

    public void Dispose() => directory.Dispose();

    [Fact]
    public void A_file_within_the_limit_is_read_whole_and_one_past_it_is_refused_unread()
    {
        string small = directory.File("small"), large = directory.File("large");
        File.WriteAllBytes(small, [1, 2, 3]);
        using (var stream = File.Create(large)) stream.SetLength(1L << 40); // a sparse terabyte: reading it would never end

        Assert.Equal([1, 2, 3], BoundedFile.ReadAllBytes(small, maxBytes: 3));
        Assert.Null(BoundedFile.ReadAllBytes(small, maxBytes: 2));
        Assert.Null(BoundedFile.ReadAllBytes(large, maxBytes: 1 << 20));
    }

    [Fact]
    public async Task An_endless_pipe_is_refused_once_it_passes_the_limit()
    {
        string pipe = directory.File("zeros");
        var zeros = new TestFiles.ZerosPipe(pipe, offered: 256L << 20);

        Assert.Null(BoundedFile.ReadAllBytes(pipe, maxBytes: 1 << 20));

        await zeros.Writer;
        Assert.True(zeros.Written < 4 << 20, $"the reader took {zeros.Written:N0} bytes");
    }
}
