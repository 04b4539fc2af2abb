using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Backprop.Explain;
using Backprop.IO;

namespace Backprop.Cli.Commands;

/// <summary>`backprop gradcheck --model FILE.json [--format text|json]`: exit 0 when every error is below 1e-6, else 4.</summary>
internal static class GradcheckCommand
{
    public static Command Create(CliConsole console)
    {
        var model = new Option<string>("--model")
        {
            Description = "An explain model file, as for `backprop explain --model` (format: docs/how-backprop-works.md)",
            HelpName = "FILE.json",
            Required = true,
        }.DashIsStandardInput();
        var format = new Option<string>("--format")
        {
            Description = "How to print the report",
            DefaultValueFactory = _ => "text",
        };
        format.AcceptOnlyFromAmong("text", "json");

        var command = new Command("gradcheck", "Compare autograd with central finite differences (float64) for every parameter; exit 4 when a relative error reaches 1e-6")
        {
            model, format,
        };
        command.SetAction(parse =>
        {
            var explainModel = ExplainModelFile.Load(parse.GetValue(model)!);
            var result = ModelGradientCheck.Check(explainModel);
            console.Out.Write(parse.GetValue(format) == "json" ? Json(result) : Text(result));
            if (result.Passed()) return ExitCodes.Success;
            var worst = result.Parameters.MaxBy(parameter => parameter.MaxRelativeError)!;
            var (analytic, numeric) = Distinguishable(worst.Analytic, worst.Numeric);
            console.Error.WriteLine(
                $"gradcheck: {worst.Name} element {worst.WorstIndex}: autograd {analytic}, finite differences {numeric} " +
                $"(relative error {Number(worst.MaxRelativeError)} ≥ {Number(GradientCheck.Tolerance)})");
            // One step of the model, for the notes on why the check failed.
            var step = ExplainEngine.Step(explainModel);
            // NOTE: a loss that overflows makes every finite difference NaN or ∞; that, not the gradients, is the problem.
            if (step.Loss.Value is var loss && !double.IsFinite(loss))
                console.Error.WriteLine($"note: the loss itself is {Number(loss)} at the model's parameters, so no finite difference of it " +
                    "can be taken; `backprop explain` shows where it overflows");
            else if (ModelGradientCheck.Kinks(explainModel, step) is { Count: > 0 } kinks)
                console.Error.WriteLine($"note: {string.Join(", ", kinks)}: within {Number(ModelGradientCheck.KinkDistance)} of the activation's " +
                    "kink at 0, where finite differences mix its two slopes while autograd takes one (0 for relu, as PyTorch), " +
                    "so a mismatch in the parameters feeding it does not mean a wrong gradient");
            else if (ModelGradientCheck.Kinks(explainModel, step, ModelGradientCheck.NearKinkDistance) is { Count: > 0 } nearKinks)
                console.Error.WriteLine($"note: {string.Join(", ", nearKinks)}: within {Number(ModelGradientCheck.NearKinkDistance)} of the activation's " +
                    "kink at 0; the finite differences of the parameters feeding it take steps small enough not to cross it, whose round-off " +
                    "is larger, so a small mismatch there need not mean a wrong gradient");
            return ExitCodes.GradientMismatch;
        });
        return command;
    }

    private static string Text(GradientCheckResult result)
    {
        var text = new StringBuilder();
        text.AppendLine("gradcheck: autograd against central finite differences (Richardson-extrapolated, float64)");
        text.AppendLine($"relative error = |autograd − numeric| / max(|autograd|, |numeric|, {Number(result.Floor)}), " +
            $"the last being {Number(GradientCheck.LossFloor)} × max(1, |loss|): smaller gradients are compared absolutely");
        text.AppendLine();
        int width = result.Parameters.Max(parameter => parameter.Name.Length);
        foreach (var parameter in result.Parameters)
        {
            text.Append("  ").Append(parameter.Name.PadRight(width)).Append("  max relative error ").Append(Number(parameter.MaxRelativeError))
                .AppendLine(parameter.MaxRelativeError < GradientCheck.Tolerance ? "" : "  FAILED");
        }
        text.AppendLine();
        bool passed = result.Passed();
        text.AppendLine($"max relative error {Number(result.MaxRelativeError)} {(passed ? "<" : "≥")} {Number(GradientCheck.Tolerance)}: {(passed ? "passed" : "FAILED")}");
        return text.ToString();
    }

    private static string Json(GradientCheckResult result)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            writer.WriteStartObject();
            writer.WritePropertyName("max_relative_error");
            JsonRenderer.WriteNumber(writer, result.MaxRelativeError);
            writer.WriteStartArray("parameters");
            foreach (var parameter in result.Parameters)
            {
                writer.WriteStartObject();
                writer.WriteString("name", parameter.Name);
                writer.WritePropertyName("max_relative_error");
                JsonRenderer.WriteNumber(writer, parameter.MaxRelativeError);
                writer.WriteEndObject();
            }
            writer.WriteEndArray();
            writer.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray()) + "\n";
    }

    private static string Number(double value) => value.ToString("G3", CultureInfo.InvariantCulture);

    // NOTE: a mismatch of 3e-6 relative printed as "autograd -0.723, finite differences -0.723"; the two are written
    // with as many digits as it takes to tell them apart (three at least, round-trip at most).
    internal static (string Analytic, string Numeric) Distinguishable(double analytic, double numeric)
    {
        for (int digits = 3; digits < 17; digits++)
        {
            string format = "G" + digits.ToString(CultureInfo.InvariantCulture);
            string a = analytic.ToString(format, CultureInfo.InvariantCulture), n = numeric.ToString(format, CultureInfo.InvariantCulture);
            if (a != n) return (a, n);
        }
        return (analytic.ToString("R", CultureInfo.InvariantCulture), numeric.ToString("R", CultureInfo.InvariantCulture));
    }
}
