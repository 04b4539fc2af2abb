using Backprop.IO;

namespace Backprop.Tests.IO;

public sealed class AtomicFileTests
{
    [Fact]
    public void Writes_a_new_file_and_replaces_an_old_one()
    {
        using var directory = new TestFiles.TemporaryDirectory();
        string path = directory.File("out.txt");

        AtomicFile.WriteAllText(path, "first");
        AtomicFile.WriteAllText(path, "second");

        Assert.Equal("second", File.ReadAllText(path));
        Assert.Single(Directory.GetFiles(directory.Path));
    }

    [Fact]
    public void A_failed_write_keeps_the_old_file_and_leaves_no_temporary_file()
    {
        using var directory = new TestFiles.TemporaryDirectory();
        string path = directory.File("model.json");
        File.WriteAllText(path, "good");

        Assert.Throws<InvalidOperationException>(() => AtomicFile.Write(path, stream =>
        {
            stream.Write("half a fi"u8);
            throw new InvalidOperationException("disk full");
        }));

        Assert.Equal("good", File.ReadAllText(path));
        Assert.Equal([path], Directory.GetFiles(directory.Path));
    }

    [Fact]
    public void A_failed_first_write_leaves_nothing()
    {
        using var directory = new TestFiles.TemporaryDirectory();

        Assert.Throws<InvalidOperationException>(() => AtomicFile.Write(directory.File("new.bin"), _ => throw new InvalidOperationException()));

        Assert.Empty(Directory.GetFiles(directory.Path));
    }

    [Fact]
    public void A_missing_folder_is_named_with_the_path_the_caller_gave_not_a_temporary_file()
    {
        using var directory = new TestFiles.TemporaryDirectory();
        string path = Path.Combine(directory.Path, "absent", "out.txt");

        var error = Assert.Throws<DirectoryNotFoundException>(() => AtomicFile.WriteAllText(path, "x"));

        Assert.StartsWith(path + ": the folder ", error.Message);
        Assert.DoesNotContain(".tmp", error.Message);
    }
}
