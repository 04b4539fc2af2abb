using System.Text.RegularExpressions;

namespace Backprop.Tests.Cli;

/// <summary>--help is where a newcomer learns a flag's default: each says what a run does without the flag.</summary>
public sealed class HelpTextTests
{
    [Theory]
    [InlineData("eval")]
    [InlineData("predict")]
    public void The_target_default_is_the_column_the_model_was_trained_to_predict(string command)
    {
        Assert.Contains("default: the column the model was trained to predict", Help(command));
    }

    [Fact]
    public void Train_help_says_what_each_schedule_does_and_that_clipping_and_early_stopping_are_off_by_default()
    {
        string help = Help("train");

        Assert.Contains("step (×0.1 after each third of the epochs)", help);
        Assert.Contains("global L2 norm (default: no clipping)", help);
        Assert.Contains("better test loss (default: train every epoch)", help);
    }

    [Fact]
    public void Gradcheck_help_names_its_tolerance_its_exit_code_and_where_the_model_format_is()
    {
        string help = Help("gradcheck");

        Assert.Contains("exit 4 when a relative error reaches 1e-6", help);
        Assert.Contains("docs/how-backprop-works.md", help);
    }

    // Help wraps to the terminal's width; the words matter, not where the lines break.
    private static string Help(string command)
    {
        var result = CliRunner.Run(command, "--help");
        Assert.Equal(0, result.Code);
        return Regex.Replace(result.Out, @"\s+", " ");
    }
}
