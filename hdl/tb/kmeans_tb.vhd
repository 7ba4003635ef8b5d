---------------------------------------------------------------------------------------------------
-- kmeans_tb: runs kmeans_core on one codes file, writes the result and checks it against the
-- Java model's expected-result file.
--
-- Files (formats of org.kqsweep.hw.CodeFiles)
--   CODES_FILE     one signed decimal code per line; blank lines are skipped
--   EXPECTED_FILE  header "K_EFF ITERATIONS CONVERGED", K_EFF codebook codes, one index per
--                  weight; "" skips the comparison
--   OUTPUT_FILE    the core's result in the expected-result format, then "cycles C"; "" skips it
--
-- The testbench streams the codes in, collects the header, codebook and indices, and counts the
-- clock cycles from the edge that accepts the first code to the edge that samples Done.
-- Any mismatch of K_eff, iterations, converged, a codebook code or an index, a protocol error or
-- a timeout ends the run with severity failure (exit code 1). A passing run prints one line
--   PASS kmeans_tb n=N k=K init=INIT k_eff=E iterations=I converged=C cycles=T
-- on standard output and exits 0.
--
-- With RUNS > 1 the same codes are fed again and every run must give the same result and cycle
-- count, which checks that the core leaves its RAMs clean. STALL_PERCENT > 0 drops In_Valid and
-- Out_Ready on that share of cycles, chosen by a fixed pseudo-random sequence.
---------------------------------------------------------------------------------------------------

---------------------------------------------------------------------------------------------------
-- Libraries
---------------------------------------------------------------------------------------------------
library ieee;
    use ieee.std_logic_1164.all;
    use ieee.numeric_std.all;

library std;
    use std.textio.all;
    use std.env.all;

library work;
    use work.kmeans_core_pkg.all;

---------------------------------------------------------------------------------------------------
-- Entity
---------------------------------------------------------------------------------------------------
entity kmeans_tb is
    generic (
        CODES_FILE     : string   := "codes.txt";
        EXPECTED_FILE  : string   := "";
        OUTPUT_FILE    : string   := "";
        K              : natural  := 16;         -- requested number of centroids
        SEED           : string   := "0";        -- decimal, low 32 bits are used (Java: (int) seed)
        INIT           : string   := "linear";   -- linear or seeded
        MAX_ITER       : natural  := 100;        -- iteration cap sent on Cfg_MaxIter
        WIDTH          : positive := 16;         -- core Width_g
        MAX_K          : positive := 64;         -- core MaxK_g
        MAX_N          : positive := 2**20;      -- core MaxN_g
        MAX_ITER_CAP   : positive := 1000;       -- core MaxIter_g
        STALL_PERCENT  : natural  := 0;          -- 0 to 99
        RUNS           : positive := 1;
        TIMEOUT_CYCLES : natural  := 0           -- 0 derives a bound from N, W, K and MAX_ITER
    );
end entity;

---------------------------------------------------------------------------------------------------
-- Architecture
---------------------------------------------------------------------------------------------------
architecture sim of kmeans_tb is

    constant ClkPeriod_c   : time    := 10 ns;
    constant KBits_c       : natural := log2ceil(MAX_K + 1);
    constant IterBits_c    : natural := log2ceil(MAX_ITER_CAP + 1);
    constant OutBits_c     : natural := maximum(WIDTH, maximum(KBits_c, IterBits_c));
    constant MaxMismatch_c : natural := 10;   -- mismatches listed before the run fails

    type IntVecPtr_t is access integer_vector;

    -- One run's result as collected from the output stream
    type Result_t is record
        KEff       : natural;
        Iterations : natural;
        Converged  : natural;
        Codebook   : IntVecPtr_t;
        Indices    : IntVecPtr_t;
        Cycles     : natural;
    end record;

    signal Clk         : std_logic := '0';
    signal Rst         : std_logic := '1';
    signal Cfg_K       : std_logic_vector(KBits_c - 1 downto 0)    := (others => '0');
    signal Cfg_Seeded  : std_logic := '0';
    signal Cfg_Seed    : std_logic_vector(31 downto 0)             := (others => '0');
    signal Cfg_MaxIter : std_logic_vector(IterBits_c - 1 downto 0) := (others => '0');
    signal In_Valid    : std_logic := '0';
    signal In_Ready    : std_logic;
    signal In_Data     : std_logic_vector(WIDTH - 1 downto 0)      := (others => '0');
    signal In_Last     : std_logic := '0';
    signal Out_Valid   : std_logic;
    signal Out_Ready   : std_logic := '0';
    signal Out_Data    : std_logic_vector(OutBits_c - 1 downto 0);
    signal Out_Last    : std_logic;
    signal Done        : std_logic;

    -- Parses a decimal integer of any size into its value modulo 2^32, which equals the low 32
    -- bits that Java's (int) cast keeps from a long seed.
    function parse_seed (text : string) return std_logic_vector is
        variable Acc_v   : unsigned(31 downto 0) := (others => '0');
        variable Start_v : integer := text'low;
        variable Neg_v   : boolean := false;
    begin
        assert text'length > 0
            report "kmeans_tb: SEED is empty; expected a decimal integer" severity failure;
        if text(text'low) = '-' then
            Neg_v   := true;
            Start_v := text'low + 1;
        end if;
        assert Start_v <= text'high
            report "kmeans_tb: SEED '" & text & "' is not a decimal integer" severity failure;
        for Pos in Start_v to text'high loop
            assert text(Pos) >= '0' and text(Pos) <= '9'
                report "kmeans_tb: SEED '" & text & "' is not a decimal integer" severity failure;
            Acc_v := resize(Acc_v * 10, 32) + (character'pos(text(Pos)) - character'pos('0'));
        end loop;
        if Neg_v then
            Acc_v := 0 - Acc_v;
        end if;
        return std_logic_vector(Acc_v);
    end function;

    -- Reads every whitespace-separated integer of a text file, in order.
    procedure read_integers (name : string; variable values : out IntVecPtr_t) is
        file     Src_f    : text;
        variable Status_v : file_open_status;
        variable Line_v   : line;
        variable Char_v   : character;
        variable Value_v  : integer;
        variable Ok_v     : boolean;
        variable Count_v  : natural;
        variable LineNo_v : natural;
        variable Result_v : IntVecPtr_t;
    begin
        -- The first pass counts, the second stores.
        for Pass in 1 to 2 loop
            file_open(Status_v, Src_f, name, read_mode);
            assert Status_v = open_ok
                report "kmeans_tb: cannot open '" & name & "' for reading (" &
                       file_open_status'image(Status_v) & ")"
                severity failure;
            Count_v  := 0;
            LineNo_v := 0;
            while not endfile(Src_f) loop
                readline(Src_f, Line_v);
                LineNo_v := LineNo_v + 1;
                loop
                    while Line_v'length > 0 and (Line_v(Line_v'low) = ' ' or Line_v(Line_v'low) = HT
                                                  or Line_v(Line_v'low) = CR) loop
                        read(Line_v, Char_v);
                    end loop;
                    exit when Line_v'length = 0;
                    read(Line_v, Value_v, Ok_v);
                    assert Ok_v
                        report "kmeans_tb: " & name & " line " & integer'image(LineNo_v) &
                               ": '" & Line_v.all & "' is not an integer"
                        severity failure;
                    if Pass = 2 then
                        Result_v(Count_v) := Value_v;
                    end if;
                    Count_v := Count_v + 1;
                end loop;
                deallocate(Line_v);
            end loop;
            file_close(Src_f);
            if Pass = 1 then
                Result_v := new integer_vector(0 to Count_v - 1);
            end if;
        end loop;
        values := Result_v;
    end procedure;

begin

    assert STALL_PERCENT < 100
        report "kmeans_tb: STALL_PERCENT must be below 100, found " & integer'image(STALL_PERCENT)
        severity failure;

    -----------------------------------------------------------------------------------------------
    -- Device under test
    -----------------------------------------------------------------------------------------------
    i_dut : entity work.kmeans_core
        generic map (
            MaxK_g    => MAX_K,
            Width_g   => WIDTH,
            MaxN_g    => MAX_N,
            MaxIter_g => MAX_ITER_CAP
        )
        port map (
            Clk         => Clk,
            Rst         => Rst,
            Cfg_K       => Cfg_K,
            Cfg_Seeded  => Cfg_Seeded,
            Cfg_Seed    => Cfg_Seed,
            Cfg_MaxIter => Cfg_MaxIter,
            In_Valid    => In_Valid,
            In_Ready    => In_Ready,
            In_Data     => In_Data,
            In_Last     => In_Last,
            Out_Valid   => Out_Valid,
            Out_Ready   => Out_Ready,
            Out_Data    => Out_Data,
            Out_Last    => Out_Last,
            Done        => Done
        );

    Clk <= not Clk after ClkPeriod_c / 2;

    -----------------------------------------------------------------------------------------------
    -- Stimulus, collection and checks
    -----------------------------------------------------------------------------------------------
    p_main : process is
        variable Codes_v     : IntVecPtr_t;
        variable Expected_v  : IntVecPtr_t;
        variable NumCodes_v  : natural;
        variable MinCode_v   : integer;
        variable MaxCode_v   : integer;
        variable Cycle_v     : natural := 0;
        variable Timeout_v   : natural;
        variable StallRng_v  : unsigned(31 downto 0) := x"2545F491";
        variable Result_v    : Result_t;
        variable First_v     : Result_t;
        variable Line_v      : line;
        variable Mismatch_v  : natural := 0;

        -- Advances one clock edge, failing once the run takes longer than Timeout_v.
        procedure tick is
        begin
            wait until rising_edge(Clk);
            Cycle_v := Cycle_v + 1;
            assert Cycle_v < Timeout_v
                report "kmeans_tb: timed out after " & integer'image(Cycle_v) &
                       " cycles; set TIMEOUT_CYCLES to allow a longer run"
                severity failure;
        end procedure;

        -- Returns true on the share STALL_PERCENT of calls.
        impure function stall return boolean is
        begin
            if STALL_PERCENT = 0 then
                return false;
            end if;
            StallRng_v := StallRng_v xor shift_left(StallRng_v, 13);
            StallRng_v := StallRng_v xor shift_right(StallRng_v, 17);
            StallRng_v := StallRng_v xor shift_left(StallRng_v, 5);
            return to_integer(StallRng_v mod 100) < STALL_PERCENT;
        end function;

        procedure mismatch (message : string) is
        begin
            Mismatch_v := Mismatch_v + 1;
            if Mismatch_v <= MaxMismatch_c then
                report "kmeans_tb: " & message severity error;
            end if;
        end procedure;

        -- Streams all codes in, then collects the output until Done.
        procedure run_once (variable result : out Result_t) is
            variable Sent_v      : natural := 0;
            variable FirstEdge_v : natural := 0;
            variable Word_v      : natural := 0;
            variable Words_v     : natural := 3;   -- grows once K_eff is known
            variable LastSeen_v  : boolean := false;
            variable Data_v      : std_logic_vector(OutBits_c - 1 downto 0);
            variable Res_v       : Result_t;
        begin
            Res_v.Indices := new integer_vector(0 to NumCodes_v - 1);
            Res_v.Codebook := new integer_vector(0 to -1);

            -- input phase
            while Sent_v < NumCodes_v loop
                if stall then
                    In_Valid <= '0';
                else
                    In_Valid <= '1';
                end if;
                In_Data <= std_logic_vector(to_signed(Codes_v(Sent_v), WIDTH));
                In_Last <= '1' when Sent_v = NumCodes_v - 1 else '0';
                tick;
                if In_Valid = '1' and In_Ready = '1' then
                    if Sent_v = 0 then
                        FirstEdge_v := Cycle_v;
                    end if;
                    Sent_v := Sent_v + 1;
                end if;
                assert Done = '0' and Out_Valid = '0'
                    report "kmeans_tb: output or Done before all " & integer'image(NumCodes_v) &
                           " codes were accepted"
                    severity failure;
            end loop;
            In_Valid <= '0';
            In_Last  <= '0';

            -- output phase
            loop
                Out_Ready <= '0' when stall else '1';
                tick;
                if Out_Valid = '1' and Out_Ready = '1' then
                    assert not LastSeen_v
                        report "kmeans_tb: output word after Out_Last" severity failure;
                    Data_v := Out_Data;
                    if Word_v = 0 then
                        Res_v.KEff := to_integer(unsigned(Data_v));
                        assert Res_v.KEff <= MAX_K
                            report "kmeans_tb: K_eff " & integer'image(Res_v.KEff) & " exceeds MAX_K"
                            severity failure;
                        Res_v.Codebook := new integer_vector(0 to Res_v.KEff - 1);
                        if Res_v.KEff > 0 then
                            Words_v := 3 + Res_v.KEff + NumCodes_v;
                        end if;
                    elsif Word_v = 1 then
                        Res_v.Iterations := to_integer(unsigned(Data_v));
                    elsif Word_v = 2 then
                        Res_v.Converged := to_integer(unsigned(Data_v));
                        assert Res_v.Converged <= 1
                            report "kmeans_tb: converged word is " & integer'image(Res_v.Converged) &
                                   ", expected 0 or 1"
                            severity failure;
                    elsif Word_v < 3 + Res_v.KEff then
                        assert Data_v(OutBits_c - 1 downto WIDTH - 1) = (OutBits_c - 1 downto WIDTH - 1 => Data_v(WIDTH - 1))
                            report "kmeans_tb: codebook word " & integer'image(Word_v - 3) & " is not sign-extended"
                            severity failure;
                        Res_v.Codebook(Word_v - 3) := to_integer(signed(Data_v(WIDTH - 1 downto 0)));
                    else
                        assert Word_v < Words_v
                            report "kmeans_tb: more than " & integer'image(NumCodes_v) & " indices"
                            severity failure;
                        Res_v.Indices(Word_v - 3 - Res_v.KEff) := to_integer(unsigned(Data_v));
                        assert to_integer(unsigned(Data_v)) < Res_v.KEff
                            report "kmeans_tb: index " & integer'image(to_integer(unsigned(Data_v))) &
                                   " of weight " & integer'image(Word_v - 3 - Res_v.KEff) &
                                   " is not below K_eff " & integer'image(Res_v.KEff)
                            severity failure;
                    end if;
                    Word_v := Word_v + 1;
                    if Out_Last = '1' then
                        LastSeen_v := true;
                        assert Word_v = Words_v
                            report "kmeans_tb: Out_Last on word " & integer'image(Word_v - 1) &
                                   ", expected on word " & integer'image(Words_v - 1)
                            severity failure;
                    end if;
                end if;
                if Done = '1' then
                    assert LastSeen_v
                        report "kmeans_tb: Done after " & integer'image(Word_v) & " of " &
                               integer'image(Words_v) & " output words"
                        severity failure;
                    exit;
                end if;
            end loop;
            Out_Ready <= '0';

            -- The core returns the zero header for a rejected run and sends no indices.
            if Res_v.KEff = 0 then
                Res_v.Indices := new integer_vector(0 to -1);
            end if;
            Res_v.Cycles := Cycle_v - FirstEdge_v;
            result := Res_v;
        end procedure;

        -- Compares a result field by field with the expected-result integers.
        procedure compare_expected (variable res : in Result_t; variable exp : in IntVecPtr_t) is
            variable ExpKEff_v : natural;
        begin
            assert exp'length >= 3
                report "kmeans_tb: " & EXPECTED_FILE & " has no header line" severity failure;
            ExpKEff_v := exp(0);
            if res.KEff /= ExpKEff_v then
                mismatch("K_eff is " & integer'image(res.KEff) & ", expected " & integer'image(ExpKEff_v));
            end if;
            if res.Iterations /= exp(1) then
                mismatch("iterations is " & integer'image(res.Iterations) & ", expected " & integer'image(exp(1)));
            end if;
            if res.Converged /= exp(2) then
                mismatch("converged is " & integer'image(res.Converged) & ", expected " & integer'image(exp(2)));
            end if;
            assert exp'length = 3 + ExpKEff_v + res.Indices'length
                report "kmeans_tb: " & EXPECTED_FILE & " holds " & integer'image(exp'length) &
                       " integers, expected 3 + K_eff " & integer'image(ExpKEff_v) & " + " &
                       integer'image(res.Indices'length) & " indices"
                severity failure;
            if res.KEff = ExpKEff_v then
                for J in 0 to ExpKEff_v - 1 loop
                    if res.Codebook(J) /= exp(3 + J) then
                        mismatch("codebook entry " & integer'image(J) & " is " & integer'image(res.Codebook(J)) &
                                 ", expected " & integer'image(exp(3 + J)));
                    end if;
                end loop;
            end if;
            for Pos in 0 to res.Indices'length - 1 loop
                if res.Indices(Pos) /= exp(3 + ExpKEff_v + Pos) then
                    mismatch("index of weight " & integer'image(Pos) & " (code " & integer'image(Codes_v(Pos)) &
                             ") is " & integer'image(res.Indices(Pos)) & ", expected " &
                             integer'image(exp(3 + ExpKEff_v + Pos)));
                end if;
            end loop;
        end procedure;

        -- Compares a repeated run with the first.
        procedure compare_runs (variable res, ref : in Result_t; run : positive) is
            constant Prefix_c : string := "run " & integer'image(run) & ": ";
        begin
            if res.KEff /= ref.KEff or res.Iterations /= ref.Iterations or res.Converged /= ref.Converged then
                mismatch(Prefix_c & "header differs from run 1");
            elsif res.Codebook.all /= ref.Codebook.all then
                mismatch(Prefix_c & "codebook differs from run 1");
            end if;
            if res.Indices.all /= ref.Indices.all then
                mismatch(Prefix_c & "indices differ from run 1");
            end if;
            if res.Cycles /= ref.Cycles and STALL_PERCENT = 0 then
                mismatch(Prefix_c & "took " & integer'image(res.Cycles) & " cycles, run 1 took " &
                         integer'image(ref.Cycles));
            end if;
        end procedure;

        procedure write_result (variable res : in Result_t) is
            file     Dst_f    : text;
            variable Status_v : file_open_status;
            variable L_v      : line;
        begin
            file_open(Status_v, Dst_f, OUTPUT_FILE, write_mode);
            assert Status_v = open_ok
                report "kmeans_tb: cannot open '" & OUTPUT_FILE & "' for writing (" &
                       file_open_status'image(Status_v) & ")"
                severity failure;
            write(L_v, integer'image(res.KEff) & " " & integer'image(res.Iterations) & " " &
                       integer'image(res.Converged));
            writeline(Dst_f, L_v);
            for J in res.Codebook'range loop
                write(L_v, res.Codebook(J));
                writeline(Dst_f, L_v);
            end loop;
            for Pos in res.Indices'range loop
                write(L_v, res.Indices(Pos));
                writeline(Dst_f, L_v);
            end loop;
            write(L_v, "cycles " & integer'image(res.Cycles));
            writeline(Dst_f, L_v);
            file_close(Dst_f);
        end procedure;

        variable Bound_v : real;
    begin
        -- configuration
        assert INIT = "linear" or INIT = "seeded"
            report "kmeans_tb: INIT is '" & INIT & "', expected linear or seeded" severity failure;
        assert K < 2**KBits_c
            report "kmeans_tb: K = " & integer'image(K) & " does not fit Cfg_K (" &
                   integer'image(KBits_c) & " bits for MAX_K = " & integer'image(MAX_K) & ")"
            severity failure;
        assert MAX_ITER < 2**IterBits_c
            report "kmeans_tb: MAX_ITER = " & integer'image(MAX_ITER) & " does not fit Cfg_MaxIter (" &
                   integer'image(IterBits_c) & " bits for MAX_ITER_CAP = " & integer'image(MAX_ITER_CAP) & ")"
            severity failure;
        Cfg_K       <= std_logic_vector(to_unsigned(K, KBits_c));
        Cfg_Seeded  <= '1' when INIT = "seeded" else '0';
        Cfg_Seed    <= parse_seed(SEED);
        Cfg_MaxIter <= std_logic_vector(to_unsigned(MAX_ITER, IterBits_c));

        -- codes
        read_integers(CODES_FILE, Codes_v);
        NumCodes_v := Codes_v'length;
        assert NumCodes_v > 0
            report "kmeans_tb: " & CODES_FILE & " holds no codes" severity failure;
        MinCode_v := -2**(WIDTH - 1);
        MaxCode_v := 2**(WIDTH - 1) - 1;
        for Pos in 0 to NumCodes_v - 1 loop
            assert Codes_v(Pos) >= MinCode_v and Codes_v(Pos) <= MaxCode_v
                report "kmeans_tb: code " & integer'image(Codes_v(Pos)) & " (value " &
                       integer'image(Pos + 1) & " of " & CODES_FILE & ") is outside the " &
                       integer'image(WIDTH) & "-bit range"
                severity failure;
        end loop;
        if EXPECTED_FILE /= "" then
            read_integers(EXPECTED_FILE, Expected_v);
        end if;

        -- Cycle bound: the core's cycle formula with every iteration run, times four for stalls.
        if TIMEOUT_CYCLES > 0 then
            Timeout_v := TIMEOUT_CYCLES;
        else
            Bound_v := 4.0 * (2.0 * real(NumCodes_v) + 3.0 * 2.0**WIDTH + 1000.0 +
                              real(MAX_ITER + 1) * (real(minimum(NumCodes_v, 2**WIDTH)) +
                                                    real((WIDTH + 4) * maximum(K, 1)) + 10.0));
            Timeout_v := integer(minimum(Bound_v, real(natural'high)));
        end if;

        -- reset, then wait for the core to clear its code RAM
        Rst <= '1';
        for Edge in 1 to 4 loop
            tick;
        end loop;
        Rst <= '0';
        tick;
        while In_Ready = '0' loop
            tick;
        end loop;

        for Run in 1 to RUNS loop
            Cycle_v := 0;
            run_once(Result_v);
            if Run = 1 then
                First_v := Result_v;
            else
                compare_runs(Result_v, First_v, Run);
            end if;
        end loop;

        if OUTPUT_FILE /= "" then
            write_result(First_v);
        end if;
        if EXPECTED_FILE /= "" then
            compare_expected(First_v, Expected_v);
        end if;
        assert Mismatch_v = 0
            report "kmeans_tb: FAIL, " & integer'image(Mismatch_v) & " mismatching values, up to " &
                   integer'image(MaxMismatch_c) & " of them listed above"
            severity failure;

        write(Line_v, "PASS kmeans_tb n=" & integer'image(NumCodes_v) & " k=" & integer'image(K) &
                      " init=" & INIT & " k_eff=" & integer'image(First_v.KEff) &
                      " iterations=" & integer'image(First_v.Iterations) &
                      " converged=" & integer'image(First_v.Converged) &
                      " cycles=" & integer'image(First_v.Cycles));
        writeline(output, Line_v);
        finish;
    end process;

end architecture;
