using Backprop.Data;

namespace Backprop.Tests.Data;

public sealed class CsvLoaderTests
{
    [Fact]
    public void Reads_features_row_major_and_the_last_column_as_target()
    {
        using var folder = new TempFolder();
        string path = folder.Write("data.csv", "a,b,species\n1,2,cat\n3.5,-4e1,dog\n5,6,cat\n");

        DataSet data = CsvLoader.Load(path);

        Assert.Equal(3, data.Rows);
        Assert.Equal(2, data.FeatureCount);
        Assert.Equal(["a", "b"], data.FeatureNames);
        Assert.Equal([2], data.InputShape);
        Assert.Equal([1f, 2f, 3.5f, -40f, 5f, 6f], data.Features);
        Assert.Equal(TaskKind.Classification, data.Task);
        Assert.Equal(["cat", "dog"], data.ClassNames!);
        Assert.Equal([0, 1, 0], data.Labels!);
    }

    [Fact]
    public void A_file_of_9000_features_whose_header_and_rows_pass_64K_characters_loads()
    {
        using var folder = new TempFolder();
        const int features = 9000;
        string header = string.Join(",", Enumerable.Range(0, features).Select(i => $"feature{i}")) + ",y";
        string row = string.Join(",", Enumerable.Repeat("0.123456", features));
        string path = folder.Write("wide.csv", $"{header}\n{row},0\n{row},1\n");

        DataSet data = CsvLoader.Load(path);

        Assert.True(header.Length > 65536 && row.Length > 65536);
        Assert.Equal(2, data.Rows);
        Assert.Equal(features, data.FeatureCount);
        Assert.Equal("feature8999", data.FeatureNames[^1]);
    }

    [Fact]
    public void Quoted_fields_may_hold_commas_and_quotes()
    {
        using var folder = new TempFolder();
        string path = folder.Write("data.csv", "\"x, first\",y,label\n\"1\",2,\"a, b\"\n3,\"4\",\"say \"\"hi\"\"\"\n");

        DataSet data = CsvLoader.Load(path);

        Assert.Equal(["x, first", "y"], data.FeatureNames);
        Assert.Equal([1f, 2f, 3f, 4f], data.Features);
        Assert.Equal(["a, b", "say \"hi\""], data.ClassNames!);
    }

    [Fact]
    public void A_byte_order_mark_and_CRLF_line_endings_are_accepted()
    {
        using var folder = new TempFolder();
        string path = folder.Write("data.csv", "\uFEFFa,b,y\r\n1,2,0\r\n3,4,1\r\n");

        DataSet data = CsvLoader.Load(path);

        Assert.Equal(["a", "b"], data.FeatureNames);
        Assert.Equal([1f, 2f, 3f, 4f], data.Features);
        Assert.Equal(["0", "1"], data.ClassNames!);
    }

    [Fact]
    public void Labels_in_UTF8_with_a_byte_order_mark_stay_distinct()
    {
        using var folder = new TempFolder();
        string path = folder.Write("data.csv", "\uFEFFx,label\n1,caf\u00e9\n2,caf\u00e8\n3,caf\u00e9\n");

        DataSet data = CsvLoader.Load(path);

        Assert.Equal(["x"], data.FeatureNames);
        Assert.Equal(["caf\u00e8", "caf\u00e9"], data.ClassNames!);
    }

    [Fact]
    public void Header_names_are_trimmed_like_the_values()
    {
        using var folder = new TempFolder();
        string path = folder.Write("data.csv", "a, b, y\n1, 2, p\n2, 1, q\n");

        DataSet data = CsvLoader.Load(path, new CsvLoadOptions { Target = "y" });

        Assert.Equal(["a", "b"], data.FeatureNames);
        Assert.Equal("y", data.TargetName);
        Assert.Equal(["p", "q"], data.ClassNames!);
    }

    [Fact]
    public void A_models_feature_names_saved_with_spaces_still_find_their_trimmed_columns()
    {
        var data = CsvLoader.Load(new StringReader(" a , b,y\n1,2,p\n"), "data.csv",
            new CsvLoadOptions { FeatureNames = [" a ", " b"], ClassNames = ["p", "q"] });

        Assert.Equal([1f, 2f], data.Features);
        Assert.Equal([0], data.Labels!);
    }

    [Fact]
    public void A_trailing_comma_on_every_line_adds_no_column()
    {
        using var folder = new TempFolder();
        string path = folder.Write("data.csv", "a,b,y,\n1,2,p,\n2,1,q,\n3,3,p,\n");

        DataSet data = CsvLoader.Load(path);

        Assert.Equal(["a", "b"], data.FeatureNames);
        Assert.Equal("y", data.TargetName);
        Assert.Equal(["p", "q"], data.ClassNames!);
        Assert.Equal([1f, 2f, 2f, 1f, 3f, 3f], data.Features);
    }

    [Fact]
    public void A_blank_named_first_column_such_as_a_pandas_index_is_a_feature_named_by_its_number()
    {
        using var folder = new TempFolder();
        string path = folder.Write("data.csv", ",a,y\n0,5,p\n1,6,q\n");

        DataSet data = CsvLoader.Load(path);

        Assert.Equal(["1", "a"], data.FeatureNames);
        Assert.Equal([0f, 5f, 1f, 6f], data.Features);
    }

    [Theory]
    [InlineData("0,1,2\n0.5,1.5,2\n1.5,0.5,1\n2.5,0.5,0\n")]  // pandas' default names; the target '2' is also a class
    [InlineData("1,2,3\n0.5,1.5,3\n1.5,0.5,1\n2.5,0.5,0\n")]
    [InlineData("400,410.5,label\n0.1,0.2,a\n0.2,0.1,b\n0.3,0.3,a\n")]  // spectra named by wavelength
    public void Columns_named_by_numbers_are_a_header_when_the_target_name_is_not_one_of_its_values(string csv)
    {
        DataSet data = CsvLoader.Load(new StringReader(csv), "data.csv");
        Assert.Equal(3, data.Rows);
    }

    [Fact]
    public void The_target_is_chosen_by_name_and_the_other_columns_stay_in_order()
    {
        using var folder = new TempFolder();
        string path = folder.Write("data.csv", "a,price,b\n1,10.5,2\n3,20.25,4\n");

        DataSet data = CsvLoader.Load(path, new CsvLoadOptions { Target = "price" });

        Assert.Equal(["a", "b"], data.FeatureNames);
        Assert.Equal([1f, 2f, 3f, 4f], data.Features);
        Assert.Equal(TaskKind.Regression, data.Task);
        Assert.Equal([10.5f, 20.25f], data.Targets!);
    }

    [Fact]
    public void Numbers_are_parsed_in_the_invariant_culture_whatever_the_current_one()
    {
        using var folder = new TempFolder();
        string path = folder.Write("data.csv", "a,y\n1.5,0.25\n2.5,1e-3\n3,7\n");
        var saved = Thread.CurrentThread.CurrentCulture;
        try
        {
            Thread.CurrentThread.CurrentCulture = System.Globalization.CultureInfo.InvariantCulture;
            DataSet data = CsvLoader.Load(path);
            Assert.Equal([1.5f, 2.5f, 3f], data.Features);
            Assert.Equal([0.25f, 1e-3f, 7f], data.Targets!);
        }
        finally { Thread.CurrentThread.CurrentCulture = saved; }
    }

    [Fact]
    public void Numeric_class_names_sort_numerically_and_string_ones_ordinally()
    {
        using var folder = new TempFolder();
        string numeric = folder.Write("n.csv", "x,y\n0,10\n0,9\n0,-1\n0,100\n0,9\n");
        string text = folder.Write("s.csv", "x,y\n0,b\n0,B\n0,a\n0,10\n0,9\n");

        DataSet byNumber = CsvLoader.Load(numeric);
        DataSet byText = CsvLoader.Load(text);

        Assert.Equal(["-1", "9", "10", "100"], byNumber.ClassNames!);
        Assert.Equal([2, 1, 0, 3, 1], byNumber.Labels!);
        Assert.Equal(["10", "9", "B", "a", "b"], byText.ClassNames!);
        Assert.Equal([4, 2, 3, 0, 1], byText.Labels!);
    }

    [Fact]
    public void Auto_calls_twenty_distinct_integers_classification()
    {
        DataSet data = LoadTargets(Enumerable.Range(0, 20).Select(i => (i * 3).ToString()));
        Assert.Equal(TaskKind.Classification, data.Task);
        Assert.Equal(20, data.ClassCount);
    }

    [Fact]
    public void Auto_calls_twenty_one_distinct_integers_regression()
    {
        DataSet data = LoadTargets(Enumerable.Range(0, 21).Select(i => i.ToString()));
        Assert.Equal(TaskKind.Regression, data.Task);
        Assert.Null(data.Labels!);
    }

    [Fact]
    public void Auto_calls_a_non_integer_target_regression_even_with_few_values()
    {
        DataSet data = LoadTargets(["1", "1.5", "2", "1"]);
        Assert.Equal(TaskKind.Regression, data.Task);
        Assert.Equal([1f, 1.5f, 2f, 1f], data.Targets!);
    }

    [Fact]
    public void Integers_written_as_decimals_are_one_class()
    {
        DataSet data = LoadTargets(["1.0", "1", "2.00", "2"]);
        Assert.Equal(TaskKind.Classification, data.Task);
        Assert.Equal(["1", "2"], data.ClassNames!);
        Assert.Equal([0, 0, 1, 1], data.Labels!);
    }

    [Fact]
    public void A_numeric_label_always_written_one_way_keeps_its_spelling()
    {
        // Product codes lost their zeros: "001" became class "1", and predict wrote 1 for it.
        DataSet data = LoadTargets(["001", "010", "002", "001", "010", "002"]);

        Assert.Equal(TaskKind.Classification, data.Task);
        Assert.Equal(["001", "002", "010"], data.ClassNames!);
        Assert.Equal([0, 2, 1, 0, 2, 1], data.Labels!);
    }

    [Fact]
    public void An_explicit_task_overrides_the_auto_rule()
    {
        using var folder = new TempFolder();
        string path = folder.Write("data.csv", "x,y\n1,0\n2,1\n3,0\n");
        string decimals = folder.Write("d.csv", "x,y\n1,0.5\n2,1.5\n3,0.5\n");

        Assert.Equal(TaskKind.Regression, CsvLoader.Load(path, new CsvLoadOptions { Task = TaskKind.Regression }).Task);
        DataSet forced = CsvLoader.Load(decimals, new CsvLoadOptions { Task = TaskKind.Classification });
        Assert.Equal(["0.5", "1.5"], forced.ClassNames!);
    }

    [Fact]
    public void Blank_lines_are_skipped_and_do_not_shift_line_numbers()
    {
        using var folder = new TempFolder();
        string path = folder.Write("data.csv", "a,y\n1,0\n\n2,1\n\nx,0\n");

        var error = Assert.Throws<DataFormatException>(() => CsvLoader.Load(path));
        Assert.Equal(6, error.Line);
    }

    [Fact]
    public void A_quoted_field_spanning_lines_counts_every_line()
    {
        using var folder = new TempFolder();
        string path = folder.Write("data.csv", "a,y\n1,\"two\nlines\"\n2,b\nbad,c\n");

        var error = Assert.Throws<DataFormatException>(() => CsvLoader.Load(path));
        Assert.Equal(5, error.Line);
    }

    [Fact]
    public void For_predict_a_missing_target_column_gives_a_data_set_without_target()
    {
        using var folder = new TempFolder();
        string path = folder.Write("data.csv", "a,b\n1,2\n3,4\n");

        DataSet data = CsvLoader.Load(path, new CsvLoadOptions { Target = "species", TargetOptional = true });

        Assert.False(data.HasTarget);
        Assert.Null(data.Task);
        Assert.Equal(["a", "b"], data.FeatureNames);
        Assert.Equal([1f, 2f, 3f, 4f], data.Features);
    }

    [Fact]
    public void For_predict_a_present_target_column_is_still_read()
    {
        using var folder = new TempFolder();
        string path = folder.Write("data.csv", "a,species,b\n1,x,2\n3,y,4\n");

        DataSet data = CsvLoader.Load(path, new CsvLoadOptions { Target = "species", TargetOptional = true, ClassNames = ["x", "y", "z"] });

        Assert.Equal(["a", "b"], data.FeatureNames);
        Assert.Equal([0, 1], data.Labels!);
    }

    [Fact]
    public void Given_class_names_fix_the_label_indices_even_when_some_are_absent()
    {
        using var folder = new TempFolder();
        string path = folder.Write("data.csv", "a,y\n1,c\n2,a\n3,c\n");

        DataSet data = CsvLoader.Load(path, new CsvLoadOptions { ClassNames = ["a", "b", "c"] });

        Assert.Equal(["a", "b", "c"], data.ClassNames!);
        Assert.Equal([2, 0, 2], data.Labels!);
    }

    [Fact]
    public void Given_numeric_class_names_match_labels_by_value()
    {
        using var folder = new TempFolder();
        string path = folder.Write("data.csv", "a,y\n1,2.0\n2,10\n");

        DataSet data = CsvLoader.Load(path, new CsvLoadOptions { ClassNames = ["2", "10"] });

        Assert.Equal([0, 1], data.Labels!);
    }

    [Fact]
    public void Given_feature_names_select_columns_by_name_in_the_model_order()
    {
        using var folder = new TempFolder();
        string path = folder.Write("data.csv", "b,y,a\n2,0,1\n4,1,3\n");

        DataSet data = CsvLoader.Load(path, new CsvLoadOptions { Target = "y", FeatureNames = ["a", "b"] });

        Assert.Equal(["a", "b"], data.FeatureNames);
        Assert.Equal([1f, 2f, 3f, 4f], data.Features);
    }

    [Fact]
    public void Loads_from_a_reader_under_a_given_source_name()
    {
        var error = Assert.Throws<DataFormatException>(() =>
            CsvLoader.Load(new StringReader("a,y\n1,0\nz,1\n"), "inline.csv"));
        Assert.StartsWith("inline.csv:3:", error.Message);
    }

    static DataSet LoadTargets(IEnumerable<string> targets)
    {
        using var folder = new TempFolder();
        string path = folder.Write("data.csv", "x,y\n" + string.Concat(targets.Select((t, i) => $"{i},{t}\n")));
        return CsvLoader.Load(path);
    }

    [Fact]
    public void With_a_models_features_the_target_is_the_one_other_column_wherever_it_stands()
    {
        var data = CsvLoader.Load(new StringReader("y,b,a\n1,2,3\n0,5,6\n"), "data.csv",
            new CsvLoadOptions { FeatureNames = ["a", "b"], ClassNames = ["0", "1"] });

        Assert.Equal(["a", "b"], data.FeatureNames);
        Assert.Equal([3f, 2f, 6f, 5f], data.Features);
        Assert.Equal([1, 0], data.Labels!);
    }

    [Fact]
    public void A_models_own_target_name_tells_the_target_from_other_columns()
    {
        var options = new CsvLoadOptions { FeatureNames = ["a", "b"], ModelTarget = "y", ClassNames = ["0", "1"] };

        var data = CsvLoader.Load(new StringReader("id,a,y,b\nr1,1,1,2\nr2,4,0,5\n"), "data.csv", options with { TargetOptional = true });
        var error = Assert.Throws<DataFormatException>(() => CsvLoader.Load(new StringReader("id,a,y,b\nr1,1,1,2\n"), "data.csv", options));
        var absent = Assert.Throws<DataFormatException>(() => CsvLoader.Load(new StringReader("a,b,label\n1,2,1\n"), "data.csv", options));

        Assert.Equal([1f, 2f, 4f, 5f], data.Features); // predict passes over the id
        Assert.Equal([1, 0], data.Labels!);
        Assert.Equal("data.csv:1: column 'id': the model has no such feature", error.Message);
        Assert.StartsWith("data.csv:1: no target column 'y', the column the model was trained to predict (columns: a, b, label)", absent.Message);
    }

    [Fact]
    public void Without_a_target_name_two_columns_beside_the_features_are_named_not_guessed()
    {
        var error = Assert.Throws<DataFormatException>(() => CsvLoader.Load(new StringReader("a,b,y,note\n1,2,1,x\n"), "data.csv",
            new CsvLoadOptions { FeatureNames = ["a", "b"], ClassNames = ["0", "1"] }));

        Assert.Equal("data.csv:1: the columns y, note are not features of the model; name the target among them with --target", error.Message);
    }

    [Fact]
    public void A_loaded_target_keeps_its_column_name_through_a_split()
    {
        var data = CsvLoader.Load(new StringReader("a,kind\n1,x\n2,y\n3,x\n"), "data.csv");

        Assert.Equal("kind", data.TargetName);
        Assert.Equal("kind", data.Subset([2, 0]).TargetName);
    }

    [Fact]
    public void A_pandas_index_beside_numbered_columns_loads_under_a_name_of_its_own()
    {
        // df.to_csv() writes ",0,1,2": the blank index's stand-in name "1" met the real column "1" and was refused.
        var data = CsvLoader.Load(new StringReader(",0,1,2\n0,1.5,2.5,a\n1,1.0,2.0,b\n"), "pandas.csv");

        Assert.Equal(["column 1", "0", "1"], data.FeatureNames);
        Assert.Equal("2", data.TargetName);
    }
}
