using System.Globalization;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Backprop.Data;
using Backprop.IO;
using Backprop.Optim;
using Backprop.Training;

namespace Backprop.Cli.Training;

/// <summary>
/// One model file per finished epoch in a folder: the weights, the optimizer's state and the history so far,
/// so that `--resume` continues exactly where the run stopped.
/// </summary>
internal static class CheckpointStore
{
    private const string Prefix = "checkpoint-epoch-", Extension = ".safetensors";
    private const string EpochKey = "checkpoint_epoch", FingerprintKey = "checkpoint_settings", HistoryKey = "checkpoint_history";
    private const string OptimizerPrefix = "optimizer.";

    // NOTE: R² is NaN for a constant test target; plain JSON has no NaN, so name it rather than fail the checkpoint.
    private static readonly JsonSerializerOptions HistoryJson = new() { NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals };

    public static void Write(string directory, int epoch, TrainedModel model, Optimizer<float> optimizer, IReadOnlyList<EpochMetrics> history,
        IReadOnlyList<KeyValuePair<string, string>> fingerprint)
    {
        Directory.CreateDirectory(directory);
        var saved = TrainedModelFile.ToSaved(model, new Dictionary<string, string>
        {
            [EpochKey] = epoch.ToString(CultureInfo.InvariantCulture),
            [FingerprintKey] = JsonSerializer.Serialize(fingerprint.ToDictionary(StringComparer.Ordinal)),
            [HistoryKey] = JsonSerializer.Serialize(history, HistoryJson),
        });
        var parameters = new Dictionary<string, SafeTensor>(saved.Parameters, StringComparer.Ordinal);
        foreach (var (name, values) in optimizer.ExportState()) parameters[OptimizerPrefix + name] = SafeTensor.FromFloats(values);
        ModelFile.Save(Path.Combine(directory, $"{Prefix}{epoch:D4}{Extension}"), saved with { Parameters = parameters });
        RemoveLaterEpochs(directory, epoch);
    }

    // NOTE: checkpoints past this epoch come from an earlier run into the same folder (or are damaged ones
    // `--resume` skipped); left in place, they would shadow this run's own newest checkpoint on the next resume.
    // They go only after this epoch's checkpoint is safely written.
    private static void RemoveLaterEpochs(string directory, int epoch)
    {
        foreach (var (file, other) in NewestFirst(directory))
            if (other > epoch) File.Delete(file);
    }

    /// <summary>The checkpoint files in a folder with the epoch their names carry, highest epoch first.</summary>
    /// <remarks>NOTE: names have at least four digits, so from epoch 10000 on they are longer, and as strings
    /// "…-9999" would sort above "…-10000": order by the number. A name whose middle is not all digits is
    /// not a checkpoint.</remarks>
    private static (string File, int Epoch)[] NewestFirst(string directory) =>
        Directory.GetFiles(directory, Prefix + "*" + Extension)
            .Select(file => (File: file, Epoch: int.TryParse(Path.GetFileName(file)[Prefix.Length..^Extension.Length],
                NumberStyles.None, CultureInfo.InvariantCulture, out int epoch) ? epoch : -1))
            .Where(checkpoint => checkpoint.Epoch >= 0)
            .OrderByDescending(checkpoint => checkpoint.Epoch).ThenByDescending(checkpoint => checkpoint.File, StringComparer.Ordinal)
            .ToArray();

    /// <summary>Restores the newest readable checkpoint into <paramref name="model"/> and <paramref name="optimizer"/>;
    /// returns its epoch and history, and why each newer file was skipped, or null when the folder holds none. Damaged
    /// files are skipped, but a folder whose every checkpoint is damaged is an error rather than a silent fresh start.</summary>
    /// <exception cref="UsageException">the folder is missing or a file, the checkpoint was written with other settings or
    /// lies beyond <paramref name="epochs"/>, or no checkpoint is readable.</exception>
    public static (int Epoch, List<EpochMetrics> History, List<string> Skipped)? RestoreNewest(string directory, TrainedModel model, Optimizer<float> optimizer,
        IReadOnlyList<KeyValuePair<string, string>> fingerprint, int epochs)
    {
        if (File.Exists(directory))
            throw new UsageException($"--resume: {directory}: is a file, not a folder; give the folder that --checkpoint wrote");
        if (!Directory.Exists(directory)) throw new UsageException($"--resume: {directory}: no such folder");
        var skipped = new List<string>();
        foreach (var (file, _) in NewestFirst(directory))
        {
            SavedModel saved;
            TrainedModel stored;
            try
            {
                saved = ModelFile.Load(file);
                stored = TrainedModelFile.FromSaved(saved, file);
            }
            catch (ModelFormatException exception)
            {
                skipped.Add(exception.Message);
                continue; // a checkpoint cut short by a crash or a full disk: fall back to the one before
            }
            if (!TryReadSettings(saved, out var settings))
            {
                skipped.Add($"{file}: the settings in its metadata ({FingerprintKey}) are unreadable");
                continue;
            }
            CheckSettings(file, settings, fingerprint);
            if (!TryReadProgress(saved, out int epoch, out var history))
            {
                skipped.Add($"{file}: the epoch or history in its metadata is missing or unreadable");
                continue;
            }
            if (epoch > epochs)
                throw new UsageException($"--resume: {file} is from epoch {epoch}, beyond --epochs {epochs}; an uninterrupted run of {epochs} epochs never reached it");

            var targets = model.Network.Parameters().ToArray();
            var sources = stored.Network.Parameters().ToArray();
            if (targets.Length != sources.Length || targets.Zip(sources).Any(pair => !pair.First.Shape.SequenceEqual(pair.Second.Shape)))
                throw new UsageException($"--resume: {file} holds a different architecture");
            var state = saved.Parameters.Where(pair => pair.Key.StartsWith(OptimizerPrefix, StringComparison.Ordinal))
                .ToDictionary(pair => pair.Key[OptimizerPrefix.Length..], pair => pair.Value.ToFloats());
            try
            {
                optimizer.ImportState(state); // validates everything before changing anything
            }
            catch (ArgumentException exception)
            {
                skipped.Add($"{file}: {exception.Message}");
                continue;
            }
            for (int i = 0; i < targets.Length; i++) sources[i].Data.CopyTo(targets[i].Data);
            // Batch norm's running statistics are model state too, though no optimizer touches them.
            var targetBuffers = model.Network.NamedBuffers().ToArray();
            var sourceBuffers = stored.Network.NamedBuffers().ToArray();
            for (int i = 0; i < Math.Min(targetBuffers.Length, sourceBuffers.Length); i++)
                sourceBuffers[i].Buffer.Data.CopyTo(targetBuffers[i].Buffer.Data);
            return (epoch, history, skipped);
        }
        if (skipped.Count > 0)
            throw new UsageException($"--resume: {directory} holds no readable checkpoint (newest problem: {skipped[0]}); remove the damaged files to start afresh");
        return null;
    }

    /// <summary>The fingerprint value of a flag this run ignores (--layers with --arch): any stored value matches it.</summary>
    public const string Unused = "<unused>";

    /// <summary>The fingerprint key for <see cref="DataDigest"/>.</summary>
    public const string DataContentKey = "data content";

    /// <summary>A SHA-256 of the loaded train and test sets (features, labels or targets, names), so that a resume
    /// notices data that changed under the same path.</summary>
    public static string DataDigest(DataSet train, DataSet test)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var set in new[] { train, test })
        {
            hash.AppendData(BitConverter.GetBytes(set.Rows));
            hash.AppendData(MemoryMarshal.AsBytes(set.Features.AsSpan()));
            if (set.Labels is { } labels) hash.AppendData(MemoryMarshal.AsBytes(labels.AsSpan()));
            if (set.Targets is { } targets) hash.AppendData(MemoryMarshal.AsBytes(targets.AsSpan()));
            hash.AppendData(Encoding.UTF8.GetBytes(string.Join("\n", set.FeatureNames.Concat(set.ClassNames ?? []))));
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    /// <summary>Refuses a checkpoint written with other settings, naming the first flag that differs.</summary>
    private static void CheckSettings(string file, Dictionary<string, string>? stored, IReadOnlyList<KeyValuePair<string, string>> fingerprint)
    {
        if (stored is null) throw new UsageException($"--resume: {file} does not record the settings it was written with, so it cannot be continued exactly");
        foreach (var (flag, value) in fingerprint)
        {
            if (value == Unused) continue; // the run ignores the flag, so no value of it can change an epoch
            if (stored.TryGetValue(flag, out var before) && before == value) continue;
            if (flag == DataContentKey)
                throw new UsageException($"--resume: {file} was written for other data: the training or test rows have changed since; resume with the same data, seed and flags");
            string why = flag == "--epochs"
                ? "; the learning-rate schedule spreads over all the epochs, so a run of another length differs from the first epoch on (start a new run, or use --schedule constant to be able to extend one)"
                : "";
            throw new UsageException($"--resume: {file} was written with {flag} {before ?? "(unset)"}, this run has {flag} {value}; resume with the same data, seed and flags{why}");
        }
        if (stored.Keys.FirstOrDefault(flag => !fingerprint.Any(pair => pair.Key == flag)) is { } extra)
            throw new UsageException($"--resume: {file} was written with {extra} {stored[extra]}, which this run does not have; resume with the same data, seed and flags");
    }

    /// <summary>The recorded settings, null when the file records none (written by another tool or version, a fault of the
    /// run, not of the file); false when a record is there but is not JSON of strings, which only damage makes.</summary>
    private static bool TryReadSettings(SavedModel saved, out Dictionary<string, string>? settings)
    {
        settings = null;
        if (!saved.Metadata.TryGetValue(FingerprintKey, out var text)) return true;
        try
        {
            settings = JsonSerializer.Deserialize<Dictionary<string, string>>(text);
            return settings is not null;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static bool TryReadProgress(SavedModel saved, out int epoch, out List<EpochMetrics> history)
    {
        history = [];
        epoch = 0;
        if (!saved.Metadata.TryGetValue(EpochKey, out var epochText) || !saved.Metadata.TryGetValue(HistoryKey, out var historyText)) return false;
        if (!int.TryParse(epochText, NumberStyles.None, CultureInfo.InvariantCulture, out epoch) || epoch < 1) return false;
        try
        {
            history = JsonSerializer.Deserialize<List<EpochMetrics>>(historyText, HistoryJson) ?? [];
        }
        catch (JsonException)
        {
            return false;
        }
        return history.Count == epoch && history.Select((metrics, index) => metrics.Epoch == index + 1).All(ok => ok);
    }
}
