using System.CommandLine;
using Backprop.Explain;
using Backprop.IO;

namespace Backprop.Cli.Commands;

/// <summary>`backprop explain [--model FILE.json] [--format text|json|markdown|dot] [--steps N]`.</summary>
internal static class ExplainCommand
{
    public static Command Create(CliConsole console)
    {
        var model = new Option<string?>("--model")
        {
            Description = "The network, input, target, loss and learning rate as JSON (default: the notebook's 3-2-1 network)",
            HelpName = "FILE.json",
        };
        var format = new Option<string>("--format")
        {
            Description = "How to print the step",
            DefaultValueFactory = _ => "text",
        };
        format.AcceptOnlyFromAmong("text", "json", "markdown", "dot");
        var steps = new Option<int>("--steps")
        {
            Description = "Explain N SGD steps, each from the previous step's updated parameters",
            DefaultValueFactory = _ => 1,
            HelpName = "N",
        };

        var command = new Command("explain", "One training step of a small network, every number shown: forward, loss, chain rule, update")
        {
            model, format, steps,
        };
        command.SetAction(parse =>
        {
            int stepCount = parse.GetValue(steps);
            if (stepCount < 1) throw new UsageException($"--steps must be at least 1, got {stepCount}");
            string? path = parse.GetValue(model);
            var explainModel = path is null ? ExplainModelFile.Notebook() : ExplainModelFile.Load(path);
            var trace = ExplainEngine.Run(explainModel, stepCount);
            string text = parse.GetValue(format) switch
            {
                "json" => JsonRenderer.Render(trace),
                "markdown" => MarkdownRenderer.Render(trace),
                "dot" => DotRenderer.Render(trace),
                _ => TextRenderer.Render(trace),
            };
            console.Out.Write(text);
            return ExitCodes.Success;
        });
        return command;
    }
}
