namespace Backprop.Tests.Cli;

/// <summary>An output path that names one of the command's own inputs is refused, and the input survives.</summary>
public sealed class OutputPathTests
{
    private const string Data = "a,b,y\n0,0,0\n0,1,1\n1,0,1\n1,1,0\n0,0,0\n1,1,0\n0,1,1\n1,0,1\n";

    [Fact]
    public void Train_refuses_to_write_its_model_over_its_data_or_test_file()
    {
        using var directory = new TestFiles.TemporaryDirectory();
        string data = directory.File("d.csv"), test = directory.File("t.csv");
        File.WriteAllText(data, Data);
        File.WriteAllText(test, Data);

        AssertRefused(CliRunner.Run("train", "--data", data, "--epochs", "1", "--out", data), $"error: --out: {data} is the --data file; writing there would replace it");
        AssertRefused(CliRunner.Run("train", "--data", data, "--test", test, "--epochs", "1", "--out", test), $"error: --out: {test} is the --test file; writing there would replace it");
        Assert.Equal(Data, File.ReadAllText(data));
        Assert.Equal(Data, File.ReadAllText(test));
    }

    [Fact]
    public void Train_refuses_a_plot_and_a_model_in_one_file_even_through_a_link_before_writing_anything()
    {
        using var directory = new TestFiles.TemporaryDirectory();
        string data = directory.File("d.csv"), same = directory.File("same.png"), link = directory.File("link.png");
        File.WriteAllText(data, Data);
        File.WriteAllText(same, "an image the refused run must not touch");
        File.CreateSymbolicLink(link, same);

        AssertRefused(CliRunner.Run("train", "--data", data, "--epochs", "1", "--plot", same, "--out", same), $"error: --plot: {same} is also the --out file; one would replace the other");
        AssertRefused(CliRunner.Run("train", "--data", data, "--epochs", "1", "--plot", link, "--out", same), $"error: --plot: {link} is also the --out file; one would replace the other");
        Assert.Equal("an image the refused run must not touch", File.ReadAllText(same));
        Assert.Equal(["d.csv", "link.png", "same.png"], Directory.GetFileSystemEntries(directory.Path).Select(entry => Path.GetFileName(entry)).Order().ToArray());
    }

    [Fact]
    public void Train_may_write_its_model_and_plot_into_its_checkpoint_folder()
    {
        using var directory = new TestFiles.TemporaryDirectory();
        string data = directory.File("d.csv"), runs = Directory.CreateDirectory(directory.File("runs")).FullName;
        File.WriteAllText(data, Data);

        CliRunner.Succeed("train", "--data", data, "--epochs", "1", "--layers", "4", "--checkpoint", runs,
            "--out", Path.Combine(runs, "m.bp"), "--plot", Path.Combine(runs, "m.svg"), "--format", "json");

        Assert.True(File.Exists(Path.Combine(runs, "m.bp")) && File.Exists(Path.Combine(runs, "m.svg")));
    }

    [Fact]
    public void Predict_and_export_refuse_to_write_over_their_inputs_even_through_a_link()
    {
        using var directory = new TestFiles.TemporaryDirectory();
        string data = directory.File("d.csv"), model = directory.File("m.bp"), link = directory.File("link.csv");
        File.WriteAllText(data, Data);
        CliRunner.Succeed("train", "--data", data, "--epochs", "1", "--layers", "4", "--out", model, "--format", "json");
        byte[] modelBytes = File.ReadAllBytes(model);
        File.CreateSymbolicLink(link, data);

        AssertRefused(CliRunner.Run("predict", "--model", model, "--data", data, "--out", data), $"error: --out: {data} is the --data file; writing there would replace it");
        AssertRefused(CliRunner.Run("predict", "--model", model, "--data", data, "--out", link), $"error: --out: {link} is the --data file; writing there would replace it");
        AssertRefused(CliRunner.Run("predict", "--model", model, "--data", data, "--out", model), $"error: --out: {model} is the --model file; writing there would replace it");
        AssertRefused(CliRunner.Run("export", "--model", model, "--out", model), $"error: --out: {model} is the --model file; writing there would replace it");
        Assert.Equal(Data, File.ReadAllText(data));
        Assert.Equal(modelBytes, File.ReadAllBytes(model));
    }

    private static void AssertRefused(CliResult result, string expected)
    {
        Assert.Equal(2, result.Code);
        Assert.Equal(expected, Assert.Single(result.ErrorLines));
    }
}
