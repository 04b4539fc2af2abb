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

    // NOTE: /proc and /sys refuse new files even to root (the CI runs as root, so a read-only folder would not do);
    // why they refuse (no such entry, permission, a read-only mount) depends on the machine.
    [Theory]
    [InlineData("/proc/backprop-out.txt")]
    [InlineData("/sys/backprop-out.txt")]
    public void A_folder_that_refuses_new_files_is_named_with_the_callers_path(string path)
    {
        var error = Assert.Throws<OutputFileException>(() => AtomicFile.WriteAllText(path, "x"));

        Assert.StartsWith($"{path}: cannot write the file (", error.Message);
        Assert.EndsWith(")", error.Message);
        Assert.DoesNotContain(".tmp", error.Message);
        if (error.InnerException is UnauthorizedAccessException) Assert.EndsWith("(permission denied)", error.Message);
        Assert.False(File.Exists(path));
    }

    [Fact]
    public void A_rename_that_fails_names_the_callers_path_and_leaves_no_temporary_file()
    {
        using var directory = new TestFiles.TemporaryDirectory();
        string folder = directory.File("taken");
        Directory.CreateDirectory(folder);

        var error = Assert.Throws<OutputFileException>(() => AtomicFile.WriteAllText(folder, "x"));

        Assert.StartsWith($"{folder}: cannot write the file (", error.Message);
        Assert.DoesNotContain(".tmp", error.Message);
        Assert.Equal([folder], Directory.GetFileSystemEntries(directory.Path));
    }

    [Fact]
    public void An_error_of_the_content_itself_passes_through_unwrapped()
    {
        using var directory = new TestFiles.TemporaryDirectory();

        Assert.Throws<FileNotFoundException>(() => AtomicFile.Write(directory.File("out.bin"), _ => throw new FileNotFoundException("source")));
    }
}
