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

    // NOTE: as root, a rename over /dev/null once replaced the device with a regular file holding the predictions.
    [Fact]
    public void A_device_is_written_in_place_and_stays_a_device()
    {
        AtomicFile.WriteAllText("/dev/null", "predictions");

        Assert.True(SpecialFiles.IsSpecial("/dev/null"));
        Assert.Equal("", File.ReadAllText("/dev/null"));
    }

    [Fact]
    public async Task A_named_pipe_is_written_in_place_for_its_reader()
    {
        using var directory = new TestFiles.TemporaryDirectory();
        string pipe = directory.File("pipe");
        Assert.Equal(0, TestFiles.MakeFifo(pipe));
        var reader = Task.Run(() => File.ReadAllText(pipe));

        AtomicFile.WriteAllText(pipe, "through the pipe");

        Assert.Same(reader, await Task.WhenAny(reader, Task.Delay(TimeSpan.FromSeconds(10))));
        Assert.Equal("through the pipe", await reader);
        Assert.True(SpecialFiles.IsSpecial(pipe));
        Assert.Equal([pipe], Directory.GetFileSystemEntries(directory.Path));
    }

    [Fact]
    public void A_symbolic_link_is_followed_and_stays_a_link()
    {
        using var directory = new TestFiles.TemporaryDirectory();
        string target = directory.File("model.bp"), link = directory.File("latest.bp");
        File.WriteAllText(target, "old");
        File.CreateSymbolicLink(link, target);

        AtomicFile.WriteAllText(link, "new");

        Assert.Equal(target, new FileInfo(link).LinkTarget);
        Assert.Equal("new", File.ReadAllText(target));
        Assert.False(SpecialFiles.IsSpecial(target));
        Assert.Equal(2, Directory.GetFileSystemEntries(directory.Path).Length);
    }

    [Fact]
    public void A_device_that_refuses_the_write_is_an_output_error_naming_it()
    {
        // /dev/full is written in place; its "No space left on device" came from the content's writes and the closing
        // flush, outside the steps that name the file, and was an internal error.
        if (!File.Exists("/dev/full")) return;

        var error = Assert.Throws<OutputFileException>(() => AtomicFile.WriteAllBytes("/dev/full", new byte[100_000]));

        Assert.StartsWith("/dev/full: cannot write the file (No space left on device", error.Message);
    }
}
