using Backprop.Data;

namespace Backprop.Tests.Data;

/// <summary>Every malformed CSV is a DataFormatException whose message names the file, line and column.</summary>
public sealed class CsvLoaderErrorTests
{
    [Fact]
    public void A_non_numeric_feature_names_file_line_column_and_value()
    {
        var error = LoadFails("a,petal_width,y\n1,2,0\n3,4,1\n5,abc,0\n", out string path);

        Assert.Equal($"{path}:4: column 'petal_width': 'abc' is not a number", error.Message);
        Assert.Equal(path, error.FilePath);
        Assert.Equal(4, error.Line);
        Assert.Equal("petal_width", error.Column);
        Assert.Equal("abc", error.Field);
    }

    [Theory]
    [InlineData("NaN")]
    [InlineData("nan")]
    [InlineData("inf")]
    [InlineData("-inf")]
    [InlineData("Infinity")]
    [InlineData("-Infinity")]
    [InlineData("1e39")]
    public void A_non_finite_feature_is_an_error(string value)
    {
        var error = LoadFails($"a,b,y\n1,2,0\n3,{value},1\n", out string path);

        Assert.StartsWith($"{path}:3: column 'b': '{value}' is not a finite number", error.Message);
        // A finite number too large for float32 is told apart from NaN and infinity.
        Assert.Contains(value == "1e39" ? "in float32, whose values stop at ±3.4e38" : "(NaN and infinity are not allowed)", error.Message);
    }

    [Theory]
    [InlineData("a,a,y\n1,2,0\n3,4,1\n", "column 'a': the name is used by columns 1 and 2")]
    [InlineData("a,b,y,y\n1,2,0,1\n3,4,1,0\n", "column 'y': the name is used by columns 3 and 4")]
    [InlineData("a, a,y\n1,2,0\n3,4,1\n", "column 'a': the name is used by columns 1 and 2")]
    public void A_column_name_used_twice_is_an_error(string csv, string expected)
    {
        var error = LoadFails(csv, out string path);

        Assert.Equal($"{path}:1: {expected}; every column needs its own name", error.Message);
    }

    [Theory]
    [InlineData("a;b;y\n1;2;0\n", "need at least two columns (features and a target); the header holds ';': columns must be separated by commas")]
    [InlineData("a\tb\ty\n1\t2\t0\n", "need at least two columns (features and a target); the header holds tabs: columns must be separated by commas")]
    [InlineData("y\n1\n", "need at least two columns (features and a target)")]
    public void A_single_column_file_names_the_separator_it_seems_to_use(string csv, string expected)
    {
        var error = LoadFails(csv, out string path);

        Assert.Equal($"{path}:1: {expected}", error.Message);
    }

    [Fact]
    public void An_empty_feature_is_an_error()
    {
        var error = LoadFails("a,b,y\n1,,0\n3,4,1\n", out string path);
        Assert.StartsWith($"{path}:2: column 'b':", error.Message);
        Assert.Contains("empty", error.Message);
    }

    [Fact]
    public void A_row_with_too_few_fields_is_an_error_on_its_line()
    {
        var error = LoadFails("a,b,y\n1,2,0\n3,1\n", out string path);
        Assert.Equal($"{path}:3: the row has 2 fields but the header has 3", error.Message);
    }

    [Fact]
    public void A_row_with_too_many_fields_is_an_error_on_its_line()
    {
        var error = LoadFails("a,b,y\r\n1,2,0\r\n3,4,1\r\n5,6,7,8\r\n", out string path);
        Assert.Equal($"{path}:4: the row has 4 fields but the header has 3", error.Message);
    }

    [Fact]
    public void A_value_under_a_trailing_blank_header_name_is_an_error_on_its_line()
    {
        var error = LoadFails("a,b,y,\n1,2,p,\n2,1,q, x \n", out string path);
        Assert.Equal($"{path}:3: column 4 has no name in the header, but this line holds ' x ' in it; name the column or remove the value", error.Message);
    }

    [Theory]
    [InlineData("1,2,p\n2,1,q\n3,3,p\n1,1,q\n", "as feature names (1, 2), and its target name 'p' is a value of the target column too (line 3)")]
    [InlineData("0,0,5,13,0\n0,1,7,2,1\n", "(0, 0, 5, 13, 0), some of them twice")]
    public void A_file_without_a_header_row_is_refused_rather_than_losing_its_first_sample(string csv, string expected)
    {
        var error = LoadFails(csv, out string path);
        Assert.Equal($"{path}:1: the header row holds only numbers {expected}; the first row must name the columns", error.Message);
    }

    [Fact]
    public void Numbers_as_names_with_a_numeric_target_name_that_is_also_a_value_still_load()
    {
        // Years predicting the last year: a target value equal to 2020 is no evidence that the header is a sample.
        using var folder = new TempFolder();
        string path = folder.Write("years.csv", "2000,2010,2020\n1990,2005,2020\n1500,1700,1800\n1000,1200,1300\n");

        var data = CsvLoader.Load(path, new CsvLoadOptions { Task = TaskKind.Regression });

        Assert.Equal(3, data.Rows);
        Assert.Equal("2020", data.TargetName);
    }

    [Fact]
    public void An_empty_file_is_an_error()
    {
        var error = LoadFails("", out string path);
        Assert.StartsWith($"{path}: ", error.Message);
        Assert.Contains("empty", error.Message);
    }

    [Fact]
    public void A_header_without_rows_is_an_error()
    {
        var error = LoadFails("a,b,y\n", out string path);
        Assert.Equal($"{path}: the file has a header but no data rows", error.Message);
    }

    [Fact]
    public void A_missing_target_column_is_named_with_the_available_ones()
    {
        using var folder = new TempFolder();
        string path = folder.Write("data.csv", "a,b,y\n1,2,0\n");

        var error = Assert.Throws<DataFormatException>(() => CsvLoader.Load(path, new CsvLoadOptions { Target = "label" }));

        Assert.Equal($"{path}:1: no target column 'label' (columns: a, b, y)", error.Message);
    }

    [Fact]
    public void Classification_with_a_single_class_is_an_error()
    {
        var error = LoadFails("a,y\n1,cat\n2,cat\n", out string path);
        Assert.Equal($"{path}: column 'y': the target has only one class ('cat'); classification needs at least two", error.Message);
    }

    [Fact]
    public void A_label_the_model_has_never_seen_names_line_and_label()
    {
        using var folder = new TempFolder();
        string path = folder.Write("data.csv", "a,species\n1,setosa\n2,versicolor\n3,zebra\n");

        var error = Assert.Throws<DataFormatException>(() =>
            CsvLoader.Load(path, new CsvLoadOptions { ClassNames = ["setosa", "versicolor", "virginica"] }));

        Assert.Equal($"{path}:4: column 'species': label 'zebra' was not seen in training (known classes: setosa, versicolor, virginica)", error.Message);
        Assert.Equal("zebra", error.Field);
    }

    [Fact]
    public void A_non_numeric_regression_target_is_an_error()
    {
        using var folder = new TempFolder();
        string path = folder.Write("data.csv", "a,y\n1,2.5\n2,oops\n");

        var error = Assert.Throws<DataFormatException>(() => CsvLoader.Load(path, new CsvLoadOptions { Task = TaskKind.Regression }));

        Assert.StartsWith($"{path}:3: column 'y': 'oops' is not a number", error.Message);
    }

    [Fact]
    public void A_NaN_in_a_numeric_target_is_an_error_not_a_class()
    {
        var error = LoadFails("a,y\n1,2.5\n2,3.5\n3,NaN\n", out string path);
        Assert.StartsWith($"{path}:4: column 'y': 'NaN' is not a finite number", error.Message);
    }

    [Fact]
    public void An_empty_target_is_an_error()
    {
        var error = LoadFails("a,y\n1,cat\n2,\n", out string path);
        Assert.Equal($"{path}:3: column 'y': the target is empty", error.Message);
    }

    [Fact]
    public void An_unterminated_quote_is_an_error_naming_line_and_column()
    {
        var error = LoadFails("a,y\n1,0\n2,\"1\n", out string path);
        Assert.Equal($"{path}:3: column 'y': a quoted field has no closing quote (it runs to the end of the file)", error.Message);
    }

    [Theory]
    [InlineData("a,y\n1,0\n2,\"1\"x\n", 3, "y", "\"1\"x")]
    [InlineData("x,label\n\"1\" ,a\n2,c\n3,a\n4,c\n", 2, "x", "\"1\" ")]  // the parser blamed a missing closing quote at the end
    [InlineData("x,label\n1,\"a\"\"b\"\n2,\"two\nlines\" c\n", 4, "label", "\"two\nlines\" c")]
    public void Text_after_a_closing_quote_is_an_error_naming_line_column_and_field(string csv, int line, string column, string field)
    {
        var error = LoadFails(csv, out string path);
        Assert.Equal($"{path}:{line}: column '{column}': text after the closing quote of a quoted field ('{field}'); " +
            "a comma or the end of the line must follow it", error.Message);
        Assert.Equal(field, error.Field);
    }

    [Fact]
    public void A_quoting_error_far_into_a_large_file_is_found_on_its_line()
    {
        string rows = string.Concat(Enumerable.Range(0, 30_000).Select(i => $"{i},\"a\"\n"));
        var error = LoadFails("x,label\n" + rows + "7,\"b\"c\n8,a\n", out string path);
        Assert.StartsWith($"{path}:30002: column 'label': text after the closing quote", error.Message);
    }

    [Fact]
    public void A_latin1_file_is_refused_naming_the_line_and_byte_rather_than_merging_labels()
    {
        using var folder = new TempFolder();
        string path = folder.WriteBytes("data.csv", System.Text.Encoding.Latin1.GetBytes("x,label\n1,caf\u00e9\n2,caf\u00e8\n3,tea\n"));

        var error = Assert.Throws<DataFormatException>(() => CsvLoader.Load(path));

        Assert.Equal($"{path}:2: the file is not UTF-8 text (it holds the byte 0xE9, which UTF-8 does not allow here); save it as UTF-8", error.Message);
    }

    [Fact]
    public void A_reader_that_cannot_be_read_again_is_refused_without_a_line()
    {
        byte[] bytes = System.Text.Encoding.Latin1.GetBytes("x,label\n1,caf\u00e9\n2,tea\n");
        var reader = new StreamReader(new MemoryStream(bytes), new System.Text.UTF8Encoding(false, throwOnInvalidBytes: true));

        var error = Assert.Throws<DataFormatException>(() => CsvLoader.Load(reader, "piped.csv"));

        Assert.Equal("piped.csv: the file is not UTF-8 text (it holds the byte 0xE9, which UTF-8 does not allow here); save it as UTF-8", error.Message);
    }

    /// <summary>A pipe: bytes read once, in blocks as they come.</summary>
    private sealed class OneWayStream(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(5)]
    [InlineData(7)]
    public void A_bad_byte_in_a_pipe_is_found_on_its_line_though_the_pipe_cannot_be_read_again(int padding)
    {
        // Three- and two-byte characters, shifted by the padding, fall across the reader's block edges in every way.
        var text = new System.Text.StringBuilder("x,label\n" + new string('0', padding + 1) + ",a\n");
        for (int i = 0; i < 3000; i++) text.Append($"{i},\u20ac\u00e9\n");
        byte[] utf8 = new System.Text.UTF8Encoding(false).GetBytes(text.ToString());

        var error = Assert.Throws<DataFormatException>(() =>
            CsvLoader.Load(new OneWayStream([.. utf8, .. "1,caf"u8, 0xE9, .. "\n2,b\n"u8]), "/dev/stdin"));

        Assert.Equal("/dev/stdin:3003: the file is not UTF-8 text (it holds the byte 0xE9, which UTF-8 does not allow here); save it as UTF-8", error.Message);
    }

    [Fact]
    public void A_bad_byte_on_a_pipes_first_line_is_found_there()
    {
        var error = Assert.Throws<DataFormatException>(() => CsvLoader.Load(new OneWayStream([0x80, .. "x,label\n1,a\n"u8]), "/dev/stdin"));

        Assert.StartsWith("/dev/stdin:1: the file is not UTF-8 text (it holds the byte 0x80,", error.Message);
    }

    [Fact]
    public void A_bad_byte_far_into_a_large_file_is_found_on_its_line()
    {
        using var folder = new TempFolder();
        var text = new System.Text.StringBuilder("x,label\n");
        for (int i = 0; i < 20_000; i++) text.Append($"{i},\u00e9t\u00e9\n");  // valid two-byte characters across block edges
        byte[] utf8 = new System.Text.UTF8Encoding(false).GetBytes(text.ToString());
        string path = folder.WriteBytes("data.csv", [.. utf8, .. "1,caf"u8, 0xE9, .. "\n"u8]);

        var error = Assert.Throws<DataFormatException>(() => CsvLoader.Load(path));

        Assert.StartsWith($"{path}:20002: the file is not UTF-8 text (it holds the byte 0xE9,", error.Message);
    }

    private const string Headerless = "1.344,8.474,11.925\n2.551,4.954,10.505\n";
    private const string HeaderlessHint = "; the first row holds only numbers: if the file has no header row, add one naming the columns";

    [Fact]
    public void A_target_missing_from_a_header_of_numbers_says_the_file_may_lack_a_header_row()
    {
        var error = LoadFails(Headerless, out string path, new CsvLoadOptions { Target = "y" });

        Assert.Equal($"{path}:1: no target column 'y' (columns: 1.344, 8.474, 11.925){HeaderlessHint}", error.Message);
    }

    [Fact]
    public void A_model_column_missing_from_a_header_of_numbers_says_the_file_may_lack_a_header_row()
    {
        var target = LoadFails(Headerless, out _, new CsvLoadOptions { FeatureNames = ["1.344", "8.474"], ModelTarget = "y" });
        var feature = LoadFails(Headerless, out _, new CsvLoadOptions { FeatureNames = ["a", "b"], TargetOptional = true });

        Assert.EndsWith(HeaderlessHint, target.Message);
        Assert.StartsWith("no feature column 'a'", feature.Message[(feature.Message.IndexOf(": ", StringComparison.Ordinal) + 2)..]);
        Assert.EndsWith(HeaderlessHint, feature.Message);
    }

    [Fact]
    public void A_target_missing_from_a_header_of_names_gets_no_such_hint()
    {
        var error = LoadFails("a,1,y\n1,2,3\n", out string path, new CsvLoadOptions { Target = "z" });

        Assert.Equal($"{path}:1: no target column 'z' (columns: a, 1, y)", error.Message);
    }

    [Fact]
    public void A_blank_first_line_is_not_a_header()
    {
        var error = LoadFails("\n1,2\n", out string path);
        Assert.StartsWith($"{path}:1: the header row is blank", error.Message);
    }

    [Fact]
    public void A_missing_file_is_a_data_format_error_naming_it()
    {
        string path = Path.Combine(Path.GetTempPath(), "backprop-no-such-" + Guid.NewGuid().ToString("N") + ".csv");
        var error = Assert.Throws<DataFormatException>(() => CsvLoader.Load(path));
        Assert.StartsWith($"{path}: cannot read the file", error.Message);
    }

    [Fact]
    public void A_feature_the_model_expects_but_the_file_lacks_is_named()
    {
        using var folder = new TempFolder();
        string path = folder.Write("data.csv", "a,y\n1,0\n");

        var error = Assert.Throws<DataFormatException>(() =>
            CsvLoader.Load(path, new CsvLoadOptions { Target = "y", FeatureNames = ["a", "b"] }));

        Assert.StartsWith($"{path}:1: no feature column 'b'", error.Message);
    }

    [Theory]
    [InlineData(null, "a,b,c\n1,2,3\n", "column 'c': the last column, taken as the target, is one of the model's features; the file has no other column for the target")]
    [InlineData("a", "a,b,c,y\n1,2,3,0\n", "column 'a': the target column is one of the model's features")]
    public void A_target_that_is_one_of_the_models_features_is_named_as_such(string? target, string csv, string expected)
    {
        using var folder = new TempFolder();
        string path = folder.Write("data.csv", csv);

        var error = Assert.Throws<DataFormatException>(() =>
            CsvLoader.Load(path, new CsvLoadOptions { Target = target, FeatureNames = ["a", "b", "c"] }));

        Assert.Equal($"{path}:1: {expected}", error.Message);
    }

    [Fact]
    public void A_value_of_70000_characters_is_quoted_by_its_start_and_length_not_whole()
    {
        var error = LoadFails($"a,b,y\n1,{new string('x', 70_000)},0\n", out string path);

        Assert.Equal($"{path}:2: column 'b': '{new string('x', 80)}… (70,000 characters)' is not a number", error.Message);
        Assert.Equal(70_000, error.Field!.Length); // the whole value stays available to callers
    }

    [Fact]
    public void A_long_target_name_and_an_unseen_long_label_are_quoted_by_their_start()
    {
        string name = new('n', 500), label = new('z', 500);
        var error = LoadFails($"a,{name}\n1,{label}\n", out string path, new CsvLoadOptions { ClassNames = ["p", "q"] });

        Assert.StartsWith($"{path}:2: column '{new string('n', 80)}… (500 characters)': label '{new string('z', 80)}… (500 characters)' was not seen in training",
            error.Message);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void A_record_past_the_length_limit_is_refused_naming_its_line_in_our_words(int line)
    {
        string huge = new('x', CsvLoader.MaxRecordLength + 1);
        var error = LoadFails(line == 1 ? $"a,{huge},y\n1,2,3\n" : $"a,b,y\n1,{huge},3\n", out string path);

        Assert.Equal($"{path}:{line}: a record is too large to read (more than 33,554,432 characters); is this a CSV file?", error.Message);
    }

    static DataFormatException LoadFails(string text, out string path, CsvLoadOptions? options = null)
    {
        using var folder = new TempFolder();
        path = folder.Write("data.csv", text);
        string file = path;
        return Assert.Throws<DataFormatException>(() => CsvLoader.Load(file, options));
    }

    [Theory]
    [InlineData("\"a\" ,b,y\n1,2,x\n", ":1: column 1: text after the closing quote of a quoted field ('\"a\" ')")]
    [InlineData("\"a,b,y\n1,2,x\n", ":1: column 1: a quoted field has no closing quote")]
    public void A_quoting_error_in_the_header_row_is_explained_like_one_in_a_data_row(string csv, string expected)
    {
        // The header is read before the row loop that explains quoting errors: it was an internal error (exit 1).
        var error = LoadFails(csv, out string path);
        Assert.StartsWith(path + expected, error.Message);
    }

    [Fact]
    public void Predict_with_a_model_that_names_no_target_passes_over_a_lone_other_column()
    {
        // An IDX model (or one saved before target names were kept) once took an id column for the target.
        var data = CsvLoader.Load(new StringReader("id,a,b\n17,1,2\n18,3,4\n"), "ids.csv",
            new CsvLoadOptions { FeatureNames = ["a", "b"], ClassNames = ["0", "1"], TargetOptional = true });

        Assert.False(data.HasTarget);
        Assert.Equal([1f, 2f, 3f, 4f], data.Features);
    }
}
