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

    [Theory]
    [InlineData("--lr", "0,001")]
    [InlineData("--clip-norm", "1,5")]
    [InlineData("--weight-decay", "0,01")]
    [InlineData("--test-split", "0,25")]
    public void A_decimal_comma_is_refused_rather_than_read_as_a_thousands_separator(string flag, string value)
    {
        // Read with thousands separators, --lr 0,001 trained at a learning rate of 1.
        var result = CliRunner.Run("train", flag, value, "--epochs", "1", "--format", "json");

        Assert.Equal(2, result.Code);
        Assert.Equal($"error: {flag}: '{value}' is not a number (the decimal point is '.', and numbers have no thousands separators)",
            Assert.Single(result.ErrorLines));
    }

    [Theory]
    [InlineData("--lr", ".5e-2", 0.005)]
    [InlineData("--lr", "+0.001", 0.001)]
    [InlineData("--clip-norm", "2", 2.0)]
    public void A_plain_decimal_number_is_read_as_written(string flag, string value, double expected)
    {
        var parse = Backprop.Cli.BackpropCli.CreateRoot(new Backprop.Cli.CliConsole(TextWriter.Null, TextWriter.Null)).Parse(["train", flag, value]);

        Assert.Empty(parse.Errors);
        Assert.Equal(expected, parse.GetValue<double?>(flag));
    }

    [Theory]
    [InlineData("error: --schedule: 'foo' is not one of cosine, step, constant", "train", "--optimizer", "sgd", "--schedule", "foo")]
    [InlineData("error: --format: 'xml' is not one of text, json, markdown, dot", "explain", "--format", "xml")]
    [InlineData("error: --format: 'yaml' is not one of text, json", "eval", "--model", "m.bp", "--data", "d.csv", "--format", "yaml")]
    [InlineData("error: --epochs is given 2 times; give it once", "train", "--epochs", "2", "--epochs", "3")]
    [InlineData("error: --model is given 2 times; give it once", "predict", "--model", "a.bp", "--data", "d.csv", "--model=b.bp")]
    public void A_value_outside_the_choices_or_a_repeated_option_is_named_by_its_flag(string expected, params string[] args)
    {
        // System.CommandLine said "Argument 'foo' not recognized" without the flag, and "--epochs expects a single
        // argument but 2 were provided".
        var result = CliRunner.Run(args);

        Assert.Equal(2, result.Code);
        Assert.Equal(expected, Assert.Single(result.ErrorLines));
    }

    [Theory]
    [InlineData("explain", "--model")]
    [InlineData("gradcheck", "--model")]
    [InlineData("train", "--data")]
    [InlineData("train", "--test")]
    [InlineData("train", "--arch")]
    [InlineData("eval", "--model")]
    [InlineData("eval", "--data")]
    [InlineData("predict", "--model")]
    [InlineData("predict", "--data")]
    [InlineData("export", "--model")]
    public void A_dash_as_an_input_file_reads_standard_input(string command, string flag)
    {
        var parse = Backprop.Cli.BackpropCli.CreateRoot(new Backprop.Cli.CliConsole(TextWriter.Null, TextWriter.Null)).Parse([command, flag, "-"]);

        Assert.Equal("/dev/stdin", parse.GetValue<string>(flag));
    }

    [Theory]
    [InlineData("error: --out: '-' (standard output) cannot take a model file; give a file name (./- for a file named '-')", "train", "--out", "-")]
    [InlineData("error: --plot: '-' (standard output) cannot take an image; give a file name (./- for a file named '-')", "train", "--plot", "-")]
    [InlineData("error: --out: '-' (standard output) cannot take an ONNX file; give a file name (./- for a file named '-')", "export", "--model", "m.bp", "--out", "-")]
    public void A_dash_as_a_binary_output_is_refused_rather_than_made_a_file_named_dash(string expected, params string[] args)
    {
        var result = CliRunner.Run(args);

        Assert.Equal(2, result.Code);
        Assert.Equal(expected, Assert.Single(result.ErrorLines));
        Assert.False(File.Exists("-"));
    }

    [Theory]
    [InlineData("error: --model and --data both read standard input; only one of them can", "eval", "--model", "-", "--data", "-")]
    [InlineData("error: --model and --data both read standard input; only one of them can", "predict", "--data", "/dev/stdin", "--model", "-")]
    [InlineData("error: --data and --test both read standard input; only one of them can", "train", "--data", "-", "--test", "-")]
    [InlineData("error: --test and --arch both read standard input; only one of them can", "train", "--arch", "-", "--test", "-")]
    public void Two_inputs_cannot_both_read_standard_input(string expected, params string[] args)
    {
        var result = CliRunner.Run(args);

        Assert.Equal(2, result.Code);
        Assert.Equal(expected, Assert.Single(result.ErrorLines));
    }
}
