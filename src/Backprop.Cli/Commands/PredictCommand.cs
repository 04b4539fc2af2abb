using System.CommandLine;
using System.Globalization;
using System.Text;
using Backprop.Cli.Training;
using Backprop.Data;
using Backprop.IO;
using Backprop.Training;

namespace Backprop.Cli.Commands;

/// <summary>`backprop predict`: one CSV row per input sample: the prediction and, for classification, each class's
/// probability.</summary>
internal static class PredictCommand
{
    public static Command Create(CliConsole console)
    {
        var model = new Option<string>("--model") { Description = "A model saved by `backprop train --out`", HelpName = "MODEL", Required = true }.DashIsStandardInput();
        var data = new Option<string>("--data")
        {
            Description = "A CSV file (the target column may be absent), or an IDX folder (its t10k files are used)",
            HelpName = "PATH",
            Required = true,
        }.DashIsStandardInput();
        var target = new Option<string?>("--target")
        {
            Description = "The CSV target column, if present (default: the column the model was trained to predict, when the file has it)",
            HelpName = "COLUMN",
        };
        var output = new Option<string?>("--out") { Description = "Write the CSV here (atomically) instead of to stdout (- for stdout)", HelpName = "FILE.csv" }.NotEmpty();

        var command = new Command("predict", "Predict with a saved model; writes CSV") { model, data, target, output };
        command.SetAction(parse =>
        {
            // `-` is standard output, as without --out.
            string? outPath = parse.GetValue(output) is "-" ? null : parse.GetValue(output);
            if (outPath is not null && Directory.Exists(outPath)) throw new UsageException($"--out: {outPath} is a folder");
            OutputPaths.RefuseInputs("--out", outPath, ("--data", parse.GetValue(data)), ("--model", parse.GetValue(model)));
            PathOptions.RefuseSharedStandardInput(("--model", parse.GetValue(model)), ("--data", parse.GetValue(data)));
            var trained = ModelFiles.Load(parse.GetValue(model)!);
            var dataSet = DataSources.LoadForModel(parse.GetValue(data)!, trained, parse.GetValue(target), targetOptional: true);
            // NOTE: everything is computed before the file is opened, so a failure leaves an existing file as it was.
            var (rows, nonFinite) = Predict(trained, dataSet);
            WarnOfNonFinite(console.Error, nonFinite, dataSet.Rows);
            if (outPath is null)
            {
                Write(console.Out, rows);
            }
            else
            {
                AtomicFile.Write(outPath, stream =>
                {
                    using var writer = new StreamWriter(stream, new UTF8Encoding(false), bufferSize: 1 << 16, leaveOpen: true);
                    Write(writer, rows);
                });
            }
            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>The header and the rows, as unquoted fields, and the (0-based) samples whose output is not finite.</summary>
    private static (List<string[]> Rows, List<int> NonFinite) Predict(TrainedModel model, DataSet data)
    {
        var nonFinite = new List<int>();
        if (model.Task != TaskKind.Classification)
        {
            var values = model.PredictValues(data);
            for (int row = 0; row < values.Length; row++)
                if (!float.IsFinite(values[row])) nonFinite.Add(row);
            return ([["prediction"], .. values.Select(value => new[] { Number(value) })], nonFinite);
        }
        string[] classes = model.ClassNames!;
        var (predicted, probabilities) = model.PredictClasses(data); // probabilities: (rows, classes)
        var rows = new List<string[]>(data.Rows + 1) { classes.Select(label => "p_" + label).Prepend("prediction").ToArray() };
        for (int row = 0; row < data.Rows; row++)
        {
            var p = probabilities.AsSpan(row * classes.Length, classes.Length);
            // Outputs that overflowed give NaN probabilities and name no class (-1): the field stays empty rather than claim the first.
            bool finite = predicted[row] >= 0;
            var fields = new string[classes.Length + 1];
            fields[0] = finite ? classes[predicted[row]] : "";
            for (int c = 0; c < classes.Length; c++) fields[c + 1] = Number(p[c]);
            rows.Add(fields);
            if (!finite) nonFinite.Add(row);
        }
        return (rows, nonFinite);
    }

    // NOTE: finite features far beyond the training data's range can overflow the network; the rows are still
    // written as the model computed them, but not silently.
    private static void WarnOfNonFinite(TextWriter error, List<int> nonFinite, int samples)
    {
        if (nonFinite.Count > 0)
            error.WriteLine($"note: the model's output is not finite for {nonFinite.Count} of {samples} samples (the first: sample {nonFinite[0] + 1}): " +
                "their features are likely far outside the range it was trained on");
    }

    private static void Write(TextWriter writer, IEnumerable<string[]> rows)
    {
        var line = new StringBuilder();
        foreach (var fields in rows)
        {
            line.Clear();
            for (int i = 0; i < fields.Length; i++)
            {
                if (i > 0) line.Append(',');
                AppendField(line, fields[i]);
            }
            line.Append('\n');
            writer.Write(line);
        }
        writer.Flush();
    }

    /// <summary>RFC 4180: a field holding a comma, a quote, a line break or edge spaces is quoted, its quotes doubled.
    /// Labels come from training data and may hold any of these.</summary>
    internal static void AppendField(StringBuilder line, string field)
    {
        bool quote = field.AsSpan().IndexOfAny(",\"\r\n") >= 0 || (field.Length > 0 && (char.IsWhiteSpace(field[0]) || char.IsWhiteSpace(field[^1])));
        if (!quote)
        {
            line.Append(field);
            return;
        }
        line.Append('"').Append(field.Replace("\"", "\"\"")).Append('"');
    }

    // Shortest round-trip form: reading the text back gives the same float.
    private static string Number(float value) => value.ToString("R", CultureInfo.InvariantCulture);
}
