namespace Backprop.Tests.Cli;

/// <summary>How the command line's words are read: every value is taken as written.</summary>
public sealed class ArgumentParsingTests
{
    [Fact]
    public void A_column_name_starting_with_an_at_sign_is_a_column_name_not_a_response_file()
    {
        using var directory = new TestFiles.TemporaryDirectory();
        string data = directory.File("logs.csv");
        File.WriteAllText(data, "a,@level\n1,x\n2,y\n3,x\n4,y\n5,x\n6,y\n");

        var result = CliRunner.Run("train", "--data", data, "--target", "@level", "--epochs", "1", "--format", "json");

        Assert.True(result.Code == 0, result.Error);
    }

    [Fact]
    public void A_path_starting_with_an_at_sign_is_a_path_even_when_the_rest_names_a_file()
    {
        using var directory = new TestFiles.TemporaryDirectory();
        string words = directory.File("words");
        File.WriteAllText(words, "--steps 2");

        // Read as a response file, "@/…/words" became `--steps 2` and explain ran the notebook twice.
        var result = CliRunner.Run("explain", "--model", "@" + words);

        Assert.Equal(2, result.Code);
        Assert.StartsWith($"error: @{words}: cannot read the file", Assert.Single(result.ErrorLines));
    }
}
