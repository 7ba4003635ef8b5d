---------------------------------------------------------------------------------------------------
-- kmeans_core: fixed-point Lloyd K-means over one tensor of signed weight codes.
--
-- The algorithm is the one in docs/fixed-point.md, and the core matches the Java model
-- org.kqsweep.quant.FixedPointKMeans bit for bit. Design notes and resource figures are in
-- docs/hardware.md.
--
-- Operation
--   1. The weight codes of one tensor stream in (In_*). The core stores them in input order and
--      counts each code in a RAM with one entry per possible code. The configuration (Cfg_*) is
--      sampled with the first weight.
--   2. A scan of that RAM from the smallest to the largest received code builds the sorted list
--      of the D distinct codes v_i with their multiplicities m_i.
--   3. If D <= K, the codebook is the distinct codes (0 iterations, converged). Otherwise the
--      core picks K increasing centroids (linear or seeded) and runs Lloyd iterations. Each
--      iteration sweeps the distinct list once: because the centroids are sorted, the nearest
--      centroid index never decreases as the code grows, so one pass that advances either the
--      code index i or the centroid index j visits D + K - 1 steps. Each cluster's sum
--      S_j = sum(m_i * v_i) and count M_j = sum(m_i) then pass through a bit-serial divider that
--      returns the mean rounded half away from zero: q = floor((2|S_j| + M_j) / (2 M_j)).
--   4. A last sweep assigns every distinct code to the final centroids, drops empty centroids
--      and writes each code's codebook index into the code RAM. The result streams out (Out_*),
--      then the core clears the code RAM entries it used and pulses Done.
--
-- Output stream, one word per beat, Out_Last on the final word:
--   K_eff, iterations, converged (0 or 1), K_eff codebook codes in increasing order
--   (sign-extended), then one codebook index per weight in input order (zero-extended).
--   A run with an invalid configuration (Cfg_K = 0, Cfg_K > MaxK_g or Cfg_MaxIter > MaxIter_g)
--   or with more than MaxN_g weights outputs only the header 0, 0, 0.
--
-- Fixed-point format (W = Width_g, Lm = log2ceil(MaxN_g + 1))
--   codes and centroids: W-bit two's complement, the full range -2^(W-1) .. 2^(W-1)-1
--   distance |v - c|: W+1 bits unsigned; multiplicity and member count: Lm bits unsigned
--   cluster sum S_j: W+Lm bits signed; divider numerator 2|S_j| + M_j: W+Lm+1 bits unsigned
--   seeded-init generator: xorshift32; r * size_j: 32 + log2ceil(min(MaxN_g, 2^W) + 1) bits
--
-- Cycle count (Clk cycles from the edge that accepts the first weight to the first edge that
-- samples Done = '1', with In_Valid and Out_Ready held high; each stall cycle adds one):
--   R = max code - min code, I = iterations, K_eff = codebook size
--   D <= K:  2N + R + 3D + 9
--   D >  K:  2N + R + 2D + 2K + K_eff + W + 12 + I * (D + (W + 3) * K + 2)
--   rejected run:  N + 4 + 2^W
-- The terms: N to accept the weights and N + 2 to send the indices, R + 1 to scan the code RAM,
-- D to clear it, and for D > K: W + 1 for the init division, K + 1 for the starting centroids,
-- then per iteration D + K sweep steps and K divisions of W + 2 cycles, and D + K for the final
-- assignment. Reset clears the code RAM in 2^W cycles before In_Ready rises.
---------------------------------------------------------------------------------------------------

---------------------------------------------------------------------------------------------------
-- Package: the width function used in the entity's port declarations
---------------------------------------------------------------------------------------------------
library ieee;
    use ieee.std_logic_1164.all;
    use ieee.numeric_std.all;

package kmeans_core_pkg is

    -- Smallest b with 2**b >= x, so b address bits reach x entries and log2ceil(n + 1) bits
    -- hold the values 0 to n.
    function log2ceil (x : positive) return natural;

end package;

package body kmeans_core_pkg is

    function log2ceil (x : positive) return natural is
    begin
        for b in 0 to 30 loop
            if 2**b >= x then
                return b;
            end if;
        end loop;
        return 31;
    end function;

end package body;

---------------------------------------------------------------------------------------------------
-- Libraries
---------------------------------------------------------------------------------------------------
library ieee;
    use ieee.std_logic_1164.all;
    use ieee.numeric_std.all;

library work;
    use work.kmeans_core_pkg.all;

---------------------------------------------------------------------------------------------------
-- Entity
---------------------------------------------------------------------------------------------------
entity kmeans_core is
    generic (
        MaxK_g    : positive range 1 to 4096    := 64;      -- largest K accepted on Cfg_K
        Width_g   : positive range 4 to 24      := 16;      -- code width W in bits
        MaxN_g    : positive range 1 to 2**30   := 2**20;   -- max weights per run
        MaxIter_g : positive range 1 to 2**20   := 1000     -- largest Cfg_MaxIter accepted
    );
    port (
        -- Control signals
        Clk         : in    std_logic;
        Rst         : in    std_logic;                      -- synchronous, high active
        -- Configuration, sampled with the first weight of a run
        Cfg_K       : in    std_logic_vector(log2ceil(MaxK_g + 1) - 1 downto 0);
        Cfg_Seeded  : in    std_logic;                      -- '0' linear, '1' seeded init
        Cfg_Seed    : in    std_logic_vector(31 downto 0);  -- xorshift32 seed, 0 starts at 0x9E3779B9
        Cfg_MaxIter : in    std_logic_vector(log2ceil(MaxIter_g + 1) - 1 downto 0);
        -- Weight code input, one code per beat, In_Last on the final one
        In_Valid    : in    std_logic;
        In_Ready    : out   std_logic;
        In_Data     : in    std_logic_vector(Width_g - 1 downto 0);
        In_Last     : in    std_logic;
        -- Result output: header, codebook, indices (see the file header)
        Out_Valid   : out   std_logic;
        Out_Ready   : in    std_logic;
        Out_Data    : out   std_logic_vector(maximum(Width_g, maximum(log2ceil(MaxK_g + 1),
                                                                       log2ceil(MaxIter_g + 1))) - 1 downto 0);
        Out_Last    : out   std_logic;
        -- Status: one-cycle pulse when a run has finished and the core accepts the next one
        Done        : out   std_logic
    );
end entity;

---------------------------------------------------------------------------------------------------
-- Architecture
---------------------------------------------------------------------------------------------------
architecture rtl of kmeans_core is

    -- Widths, named after the quantity they hold
    constant CntBits_c     : natural  := log2ceil(MaxN_g + 1);            -- m_i, M_j, N
    constant KBits_c       : natural  := log2ceil(MaxK_g + 1);            -- K, K_eff
    constant KIdxBits_c    : natural  := maximum(1, log2ceil(MaxK_g));    -- centroid index j
    constant IterBits_c    : natural  := log2ceil(MaxIter_g + 1);
    constant MaxD_c        : positive := minimum(MaxN_g, 2**Width_g);     -- most distinct codes
    constant DBits_c       : natural  := log2ceil(MaxD_c + 1);            -- D and index i
    constant DIdxBits_c    : natural  := maximum(1, log2ceil(MaxD_c));
    constant NIdxBits_c    : natural  := maximum(1, log2ceil(MaxN_g));
    constant SumBits_c     : natural  := Width_g + CntBits_c;             -- S_j
    constant NumBits_c     : natural  := Width_g + CntBits_c + 1;         -- 2|S_j| + M_j
    constant DivBits_c     : natural  := Width_g + maximum(CntBits_c, KBits_c) + 1;
    constant QBits_c       : natural  := Width_g + 1;                     -- quotient
    constant StepBits_c    : natural  := log2ceil(Width_g + 2);
    constant CodeRamBits_c : natural  := maximum(CntBits_c, KIdxBits_c);  -- count, later index
    constant OutBits_c     : natural  := Out_Data'length;

    constant ZeroSeed_c : unsigned(31 downto 0) := x"9E3779B9";

    -- Types
    type State_t is (
        ClearAll_s,     -- clear the code RAM, after reset and after a rejected run
        Input_s,        -- accept weights, count codes
        InputDrain_s,   -- write the last count
        Scan_s,         -- read counts from min to max code, append distinct codes
        ScanTail_s,     -- append the last scanned code
        Decide_s,       -- D <= K goes to Copy_s, else start the init division
        Copy_s,         -- codebook = distinct codes
        InitDiv_s,      -- R / (K - 1) or D / K
        Init_s,         -- write the K starting centroids
        SweepSetup_s,   -- present the first distinct code and centroids
        Sweep_s,        -- one pass over the distinct codes (Lloyd step or final assignment)
        UpdateSetup_s,  -- present the first cluster sum
        UpdateLoad_s,   -- load the divider with cluster j
        UpdateDiv_s,    -- W divider steps
        UpdateWrite_s,  -- write the new centroid j
        OutHeader_s,    -- K_eff, iterations, converged
        OutCodebook_s,  -- K_eff codebook entries
        OutIndex_s,     -- one index per weight, two-stage RAM read pipeline
        Cleanup_s       -- zero the code RAM entries of the distinct codes
    );

    type TwoProcess_r is record
        State      : State_t;
        Err        : std_logic;                          -- run rejected
        First      : std_logic;                          -- next beat is the first of a run
        DonePulse  : std_logic;
        -- configuration
        K          : unsigned(KBits_c - 1 downto 0);
        Seeded     : std_logic;
        Rng        : unsigned(31 downto 0);
        MaxIter    : unsigned(IterBits_c - 1 downto 0);
        -- input and counting
        N          : unsigned(CntBits_c - 1 downto 0);   -- weights stored
        CodeMin    : signed(Width_g - 1 downto 0);
        CodeMax    : signed(Width_g - 1 downto 0);
        CntPend    : std_logic;                          -- count update pending for CntAddr
        CntAddr    : unsigned(Width_g - 1 downto 0);
        LastWrVld  : std_logic;                          -- last count write, for forwarding
        LastWrAddr : unsigned(Width_g - 1 downto 0);
        LastWrCnt  : unsigned(CntBits_c - 1 downto 0);
        -- scan
        ScanAddr   : unsigned(Width_g - 1 downto 0);     -- address read this cycle
        ScanPend   : std_logic;                          -- count of ScanPrev arrives now
        ScanPrev   : unsigned(Width_g - 1 downto 0);
        D          : unsigned(DBits_c - 1 downto 0);
        -- divider
        DivRem     : unsigned(DivBits_c - 1 downto 0);
        DivDen     : unsigned(DivBits_c - 1 downto 0);
        DivQuo     : unsigned(QBits_c - 1 downto 0);
        DivSteps   : unsigned(StepBits_c - 1 downto 0);  -- steps left
        -- initialization
        InitT      : unsigned(KBits_c - 1 downto 0);     -- 0 .. K
        InitBase   : signed(Width_g downto 0);           -- linear: v_0 + floor(t * R / (K - 1))
        InitFrac   : unsigned(KBits_c - 1 downto 0);     -- remainder of the running quotient
        InitLo     : unsigned(DBits_c - 1 downto 0);     -- seeded: first rank of stratum t
        InitValue  : signed(Width_g - 1 downto 0);       -- linear centroid waiting to be written
        -- sweep
        FinalPass  : std_logic;
        I          : unsigned(DBits_c - 1 downto 0);
        J          : unsigned(KIdxBits_c - 1 downto 0);
        Sum        : signed(SumBits_c - 1 downto 0);
        Members    : unsigned(CntBits_c - 1 downto 0);
        KEff       : unsigned(KBits_c - 1 downto 0);
        JUsed      : std_logic;                          -- final pass: centroid J has a member
        -- update
        UpdNeg     : std_logic;
        UpdEmpty   : std_logic;
        UpdOld     : signed(Width_g - 1 downto 0);
        Changed    : std_logic;
        Iter       : unsigned(IterBits_c - 1 downto 0);
        Converged  : std_logic;
        -- output
        HeaderWord : unsigned(1 downto 0);
        IssueN     : unsigned(CntBits_c - 1 downto 0);   -- next weight to read
        Stage1Vld  : std_logic;                          -- weight code in BufRdData
        Stage2Vld  : std_logic;                          -- index in CodeRdData
        OutN       : unsigned(CntBits_c - 1 downto 0);   -- indices sent
    end record;

    -- RAM ports driven by p_comb. Every RAM reads synchronously and returns the old entry when
    -- the same address is written in the same cycle.
    type RamCtrl_t is record
        CodeRdEna  : std_logic;
        CodeRdAddr : unsigned(Width_g - 1 downto 0);
        CodeWrEna  : std_logic;
        CodeWrAddr : unsigned(Width_g - 1 downto 0);
        CodeWrData : std_logic_vector(CodeRamBits_c - 1 downto 0);
        BufRdEna   : std_logic;
        BufRdAddr  : unsigned(NIdxBits_c - 1 downto 0);
        BufWrEna   : std_logic;
        BufWrAddr  : unsigned(NIdxBits_c - 1 downto 0);
        DistRdAddr : unsigned(DIdxBits_c - 1 downto 0);
        DistWrEna  : std_logic;
        DistWrAddr : unsigned(DIdxBits_c - 1 downto 0);
        DistWrData : std_logic_vector(Width_g + CntBits_c - 1 downto 0);
        CentRdAddrA : unsigned(KIdxBits_c - 1 downto 0);  -- c_j
        CentRdAddrB : unsigned(KIdxBits_c - 1 downto 0);  -- c_(j+1)
        CentWrEna  : std_logic;
        CentWrAddr : unsigned(KIdxBits_c - 1 downto 0);
        CentWrData : signed(Width_g - 1 downto 0);
        AccRdAddr  : unsigned(KIdxBits_c - 1 downto 0);
        AccWrEna   : std_logic;
        AccWrAddr  : unsigned(KIdxBits_c - 1 downto 0);
        AccWrData  : std_logic_vector(SumBits_c + CntBits_c - 1 downto 0);
    end record;

    -- Offset-binary RAM address of a code, so that address order is code order
    function code_to_addr (code : signed) return unsigned is
        variable Addr_v : unsigned(code'length - 1 downto 0) := unsigned(code);
    begin
        Addr_v(Addr_v'high) := not Addr_v(Addr_v'high);
        return Addr_v;
    end function;

    function addr_to_code (addr : unsigned) return signed is
        variable Code_v : unsigned(addr'length - 1 downto 0) := addr;
    begin
        Code_v(Code_v'high) := not Code_v(Code_v'high);
        return signed(Code_v);
    end function;

    -- |v - c| as a (W+1)-bit unsigned integer
    function distance (v, c : signed) return unsigned is
        variable Diff_v : signed(v'length downto 0);
    begin
        Diff_v := resize(v, v'length + 1) - resize(c, v'length + 1);
        if Diff_v < 0 then
            return unsigned(-Diff_v);
        else
            return unsigned(Diff_v);
        end if;
    end function;

    -- One xorshift32 step (shifts 13, 17, 5)
    function xorshift32 (x : unsigned(31 downto 0)) return unsigned is
        variable X_v : unsigned(31 downto 0) := x;
    begin
        X_v := X_v xor shift_left(X_v, 13);
        X_v := X_v xor shift_right(X_v, 17);
        X_v := X_v xor shift_left(X_v, 5);
        return X_v;
    end function;

    -- Register values after reset. They are also the initial values, so simulation sees no
    -- undefined RAM address before the first reset edge.
    constant Reset_c : TwoProcess_r := (
        State      => ClearAll_s,
        Err        => '0',
        First      => '1',
        DonePulse  => '0',
        K          => (others => '0'),
        Seeded     => '0',
        Rng        => (others => '0'),
        MaxIter    => (others => '0'),
        N          => (others => '0'),
        CodeMin    => (others => '0'),
        CodeMax    => (others => '0'),
        CntPend    => '0',
        CntAddr    => (others => '0'),
        LastWrVld  => '0',
        LastWrAddr => (others => '0'),
        LastWrCnt  => (others => '0'),
        ScanAddr   => (others => '0'),
        ScanPend   => '0',
        ScanPrev   => (others => '0'),
        D          => (others => '0'),
        DivRem     => (others => '0'),
        DivDen     => (others => '0'),
        DivQuo     => (others => '0'),
        DivSteps   => (others => '0'),
        InitT      => (others => '0'),
        InitBase   => (others => '0'),
        InitFrac   => (others => '0'),
        InitLo     => (others => '0'),
        InitValue  => (others => '0'),
        FinalPass  => '0',
        I          => (others => '0'),
        J          => (others => '0'),
        Sum        => (others => '0'),
        Members    => (others => '0'),
        KEff       => (others => '0'),
        JUsed      => '0',
        UpdNeg     => '0',
        UpdEmpty   => '0',
        UpdOld     => (others => '0'),
        Changed    => '0',
        Iter       => (others => '0'),
        Converged  => '0',
        HeaderWord => (others => '0'),
        IssueN     => (others => '0'),
        Stage1Vld  => '0',
        Stage2Vld  => '0',
        OutN       => (others => '0')
    );

    signal r      : TwoProcess_r := Reset_c;
    signal r_next : TwoProcess_r;
    signal Ram    : RamCtrl_t;

    -- RAM read data
    signal CodeRdData : std_logic_vector(CodeRamBits_c - 1 downto 0);
    signal BufRdData  : std_logic_vector(Width_g - 1 downto 0);
    signal DistRdData : std_logic_vector(Width_g + CntBits_c - 1 downto 0);
    signal CentRdA    : signed(Width_g - 1 downto 0);
    signal CentRdB    : signed(Width_g - 1 downto 0);
    signal AccRdData  : std_logic_vector(SumBits_c + CntBits_c - 1 downto 0);

begin

    -----------------------------------------------------------------------------------------------
    -- Combinational next state
    -----------------------------------------------------------------------------------------------
    p_comb : process (all) is
        variable v          : TwoProcess_r;
        variable Ctrl_v     : RamCtrl_t;
        variable Code_v     : signed(Width_g - 1 downto 0);
        variable Cnt_v      : unsigned(CntBits_c - 1 downto 0);
        variable CfgErr_v   : std_logic;
        variable DistCode_v : signed(Width_g - 1 downto 0);
        variable DistCnt_v  : unsigned(CntBits_c - 1 downto 0);
        variable Product_v  : signed(CntBits_c + Width_g downto 0);
        variable Idx_v      : unsigned(KBits_c - 1 downto 0);
        variable AbsSum_v   : unsigned(SumBits_c - 1 downto 0);
        variable Num_v      : unsigned(NumBits_c - 1 downto 0);
        variable Frac_v     : unsigned(KBits_c downto 0);
        variable Size_v     : unsigned(DBits_c - 1 downto 0);
        variable Rng_v      : unsigned(31 downto 0);
        variable Scaled_v   : unsigned(32 + DBits_c - 1 downto 0);
        variable NewCent_v  : signed(Width_g - 1 downto 0);
        variable OutData_v  : std_logic_vector(OutBits_c - 1 downto 0);
        variable OutValid_v : std_logic;
        variable OutLast_v  : std_logic;
        variable InReady_v  : std_logic;
        variable Stall_v    : std_logic;
    begin
        -- hold variables from previous clock cycle
        v := r;

        -- defaults
        Ctrl_v.CodeRdEna  := '1';
        Ctrl_v.CodeRdAddr := (others => '0');
        Ctrl_v.CodeWrEna  := '0';
        Ctrl_v.CodeWrAddr := (others => '0');
        Ctrl_v.CodeWrData := (others => '0');
        Ctrl_v.BufRdEna   := '1';
        Ctrl_v.BufRdAddr  := (others => '0');
        Ctrl_v.BufWrEna   := '0';
        Ctrl_v.BufWrAddr  := resize(r.N, NIdxBits_c);
        Ctrl_v.DistWrEna  := '0';
        Ctrl_v.DistWrAddr := resize(r.D, DIdxBits_c);
        Ctrl_v.DistWrData := (others => '0');
        Ctrl_v.CentWrEna  := '0';
        Ctrl_v.CentWrAddr := (others => '0');
        Ctrl_v.CentWrData := (others => '0');
        Ctrl_v.AccWrEna   := '0';
        Ctrl_v.AccWrAddr  := r.J;
        Ctrl_v.AccWrData  := std_logic_vector(r.Sum) & std_logic_vector(r.Members);
        OutData_v         := (others => '0');
        OutValid_v        := '0';
        OutLast_v         := '0';
        InReady_v         := '0';
        v.DonePulse       := '0';
        v.CntPend         := '0';
        v.ScanPend        := '0';

        DistCode_v := signed(DistRdData(Width_g + CntBits_c - 1 downto CntBits_c));
        DistCnt_v  := unsigned(DistRdData(CntBits_c - 1 downto 0));

        -- Count update of the weight accepted in the previous cycle. Its RAM read ran in the same
        -- cycle as the count write of the weight before and returned the old entry, so the last
        -- written count is forwarded when the addresses match.
        if r.CntPend = '1' then
            if r.LastWrVld = '1' and r.LastWrAddr = r.CntAddr then
                Cnt_v := r.LastWrCnt + 1;
            else
                Cnt_v := unsigned(CodeRdData(CntBits_c - 1 downto 0)) + 1;
            end if;
            Ctrl_v.CodeWrEna  := '1';
            Ctrl_v.CodeWrAddr := r.CntAddr;
            Ctrl_v.CodeWrData := std_logic_vector(resize(Cnt_v, CodeRamBits_c));
            v.LastWrVld       := '1';
            v.LastWrAddr      := r.CntAddr;
            v.LastWrCnt       := Cnt_v;
        end if;

        -- Scan result of the address read in the previous cycle: a nonzero count appends a
        -- distinct code, so the list comes out sorted.
        if r.ScanPend = '1' then
            Cnt_v := unsigned(CodeRdData(CntBits_c - 1 downto 0));
            if Cnt_v /= 0 then
                Ctrl_v.DistWrEna  := '1';
                Ctrl_v.DistWrData := std_logic_vector(addr_to_code(r.ScanPrev)) & std_logic_vector(Cnt_v);
                v.D               := r.D + 1;
            end if;
        end if;

        -- The state decoder is an if/elsif chain: GHDL 2.0 writes a complete enumeration case as
        -- a Verilog case without default, in which yosys then infers latches.
        if r.State = ClearAll_s then
            -- Only the code RAM needs clearing because counting adds to it. The other RAMs are
            -- written before they are read in every run.
            Ctrl_v.CodeWrEna  := '1';
            Ctrl_v.CodeWrAddr := r.ScanAddr;
            v.ScanAddr        := r.ScanAddr + 1;
            if r.ScanAddr = 2**Width_g - 1 then
                v.State     := Input_s;
                v.DonePulse := r.Err;
                v.Err       := '0';
                v.First     := '1';
                v.N         := (others => '0');
                v.LastWrVld := '0';
            end if;

        elsif r.State = Input_s then
            InReady_v := '1';
            if In_Valid = '1' then
                Code_v := signed(In_Data);
                if r.First = '1' then
                    if unsigned(Cfg_K) = 0 or unsigned(Cfg_K) > MaxK_g
                        or unsigned(Cfg_MaxIter) > MaxIter_g then
                        CfgErr_v := '1';
                    else
                        CfgErr_v := '0';
                    end if;
                    v.Err     := CfgErr_v;
                    v.K       := unsigned(Cfg_K);
                    v.Seeded  := Cfg_Seeded;
                    v.MaxIter := unsigned(Cfg_MaxIter);
                    if unsigned(Cfg_Seed) = 0 then
                        v.Rng := ZeroSeed_c;
                    else
                        v.Rng := unsigned(Cfg_Seed);
                    end if;
                    v.CodeMin := Code_v;
                    v.CodeMax := Code_v;
                else
                    CfgErr_v := r.Err;
                    if Code_v < r.CodeMin then
                        v.CodeMin := Code_v;
                    end if;
                    if Code_v > r.CodeMax then
                        v.CodeMax := Code_v;
                    end if;
                end if;
                v.First := '0';

                -- A rejected run still consumes its weights, so the sender never blocks.
                if CfgErr_v = '0' then
                    if r.N = MaxN_g then
                        v.Err := '1';
                    else
                        Ctrl_v.BufWrEna   := '1';
                        Ctrl_v.CodeRdAddr := code_to_addr(Code_v);
                        v.CntPend         := '1';
                        v.CntAddr         := code_to_addr(Code_v);
                        v.N               := r.N + 1;
                    end if;
                end if;

                if In_Last = '1' then
                    v.State := InputDrain_s;
                end if;
            end if;

        elsif r.State = InputDrain_s then
            if r.Err = '1' then
                v.KEff       := (others => '0');
                v.Iter       := (others => '0');
                v.Converged  := '0';
                v.HeaderWord := (others => '0');
                v.State      := OutHeader_s;
            else
                v.ScanAddr := code_to_addr(r.CodeMin);
                v.D        := (others => '0');
                v.State    := Scan_s;
            end if;

        elsif r.State = Scan_s then
            Ctrl_v.CodeRdAddr := r.ScanAddr;
            v.ScanPend        := '1';
            v.ScanPrev        := r.ScanAddr;
            v.ScanAddr        := r.ScanAddr + 1;
            if r.ScanAddr = code_to_addr(r.CodeMax) then
                v.State := ScanTail_s;
            end if;

        elsif r.State = ScanTail_s then
            v.State := Decide_s;

        elsif r.State = Decide_s then
            v.I := (others => '0');
            if r.D <= r.K then
                v.State := Copy_s;
            else
                -- linear: R / (K - 1), seeded: D / K. Both get W + 1 quotient bits because D / 1
                -- reaches 2^W.
                if r.Seeded = '1' then
                    v.DivRem := resize(r.D, DivBits_c);
                    v.DivDen := shift_left(resize(r.K, DivBits_c), Width_g);
                else
                    v.DivRem := resize(unsigned(resize(r.CodeMax, Width_g + 1) - resize(r.CodeMin, Width_g + 1)), DivBits_c);
                    v.DivDen := shift_left(resize(r.K - 1, DivBits_c), Width_g);
                end if;
                v.DivQuo   := (others => '0');
                v.DivSteps := to_unsigned(Width_g + 1, StepBits_c);
                v.State    := InitDiv_s;
            end if;

        elsif r.State = Copy_s then
            Ctrl_v.CentWrEna  := '1';
            Ctrl_v.CentWrAddr := resize(r.I, KIdxBits_c);
            Ctrl_v.CentWrData := DistCode_v;
            Ctrl_v.CodeWrEna  := '1';
            Ctrl_v.CodeWrAddr := code_to_addr(DistCode_v);
            Ctrl_v.CodeWrData := std_logic_vector(resize(r.I, CodeRamBits_c));
            v.I               := r.I + 1;
            if r.I = r.D - 1 then
                v.KEff       := resize(r.D, KBits_c);
                v.Iter       := (others => '0');
                v.Converged  := '1';
                v.HeaderWord := (others => '0');
                v.J          := (others => '0');
                v.State      := OutHeader_s;
            end if;

        elsif r.State = InitDiv_s or r.State = UpdateDiv_s then
            -- Restoring division, one quotient bit per cycle
            if r.DivRem >= r.DivDen then
                v.DivRem := r.DivRem - r.DivDen;
                v.DivQuo := r.DivQuo(QBits_c - 2 downto 0) & '1';
            else
                v.DivQuo := r.DivQuo(QBits_c - 2 downto 0) & '0';
            end if;
            v.DivDen   := shift_right(r.DivDen, 1);
            v.DivSteps := r.DivSteps - 1;
            if r.DivSteps = 1 then
                if r.State = InitDiv_s then
                    v.InitT    := (others => '0');
                    v.InitBase := resize(r.CodeMin, Width_g + 1);
                    v.InitFrac := (others => '0');
                    v.InitLo   := (others => '0');
                    v.State    := Init_s;
                else
                    v.State := UpdateWrite_s;
                end if;
            end if;

        elsif r.State = Init_s then
            -- Cycle t computes centroid t, cycle t + 1 writes it (seeded reads it from the
            -- distinct list in between). DivQuo and DivRem hold the init division's result.
            if r.InitT /= 0 then
                Ctrl_v.CentWrEna  := '1';
                Ctrl_v.CentWrAddr := resize(r.InitT - 1, KIdxBits_c);
                if r.Seeded = '1' then
                    Ctrl_v.CentWrData := DistCode_v;
                else
                    Ctrl_v.CentWrData := r.InitValue;
                end if;
            end if;
            if r.InitT /= r.K then
                if r.Seeded = '1' then
                    -- stratum t: ranks lo_t .. lo_t + size_t - 1, size_t = floor(D/K) or +1
                    Frac_v := resize(r.InitFrac, KBits_c + 1) + resize(r.DivRem, KBits_c + 1);
                    Size_v := resize(r.DivQuo, DBits_c);
                    if Frac_v >= r.K then
                        Size_v := Size_v + 1;
                        Frac_v := Frac_v - r.K;
                    end if;
                    Rng_v    := xorshift32(r.Rng);
                    Scaled_v := Rng_v * Size_v;
                    v.Rng      := Rng_v;
                    v.I        := r.InitLo + Scaled_v(Scaled_v'high downto 32);
                    v.InitLo   := r.InitLo + Size_v;
                    v.InitFrac := resize(Frac_v, KBits_c);
                else
                    -- c_t = v_0 + floor(t * R / (K - 1)), stepped by the quotient and remainder
                    -- of R / (K - 1). The step after the last centroid is never used, which
                    -- covers K = 1 and its division by zero.
                    v.InitValue := resize(r.InitBase, Width_g);
                    Frac_v      := resize(r.InitFrac, KBits_c + 1) + resize(r.DivRem, KBits_c + 1);
                    if Frac_v >= r.K - 1 then
                        v.InitBase := r.InitBase + signed(resize(r.DivQuo, Width_g + 1)) + 1;
                        v.InitFrac := resize(Frac_v - (r.K - 1), KBits_c);
                    else
                        v.InitBase := r.InitBase + signed(resize(r.DivQuo, Width_g + 1));
                        v.InitFrac := resize(Frac_v, KBits_c);
                    end if;
                end if;
            end if;
            v.InitT := r.InitT + 1;
            if r.InitT = r.K then
                v.Iter := (others => '0');
                if r.MaxIter = 0 then
                    v.Converged := '0';
                    v.FinalPass := '1';
                else
                    v.FinalPass := '0';
                end if;
                v.State := SweepSetup_s;
            end if;

        elsif r.State = SweepSetup_s then
            v.I       := (others => '0');
            v.J       := (others => '0');
            v.Sum     := (others => '0');
            v.Members := (others => '0');
            v.KEff    := (others => '0');
            v.JUsed   := '0';
            v.State   := Sweep_s;

        elsif r.State = Sweep_s then
            -- CentRdA = c_j, CentRdB = c_(j+1), DistRdData = (v_i, m_i). Each cycle either
            -- moves to the next centroid (when c_(j+1) is strictly nearer, or every code has
            -- been assigned) or assigns v_i to c_j. Ties stay with the lower index.
            if r.J /= r.K - 1 and (r.I = r.D or
                    distance(DistCode_v, CentRdB) < distance(DistCode_v, CentRdA)) then
                if r.FinalPass = '0' then
                    Ctrl_v.AccWrEna := '1';
                    v.Sum           := (others => '0');
                    v.Members       := (others => '0');
                end if;
                v.J     := r.J + 1;
                v.JUsed := '0';
            elsif r.I /= r.D then
                if r.FinalPass = '0' then
                    Product_v := signed('0' & DistCnt_v) * DistCode_v;
                    v.Sum     := r.Sum + resize(Product_v, SumBits_c);
                    v.Members := r.Members + DistCnt_v;
                else
                    -- Centroids without members are dropped, so a centroid's codebook
                    -- position is the number of used centroids before it.
                    if r.JUsed = '0' then
                        Idx_v             := r.KEff;
                        v.KEff            := r.KEff + 1;
                        v.JUsed           := '1';
                        Ctrl_v.CentWrEna  := '1';
                        Ctrl_v.CentWrAddr := resize(r.KEff, KIdxBits_c);
                        Ctrl_v.CentWrData := CentRdA;
                    else
                        Idx_v := r.KEff - 1;
                    end if;
                    Ctrl_v.CodeWrEna  := '1';
                    Ctrl_v.CodeWrAddr := code_to_addr(DistCode_v);
                    Ctrl_v.CodeWrData := std_logic_vector(resize(Idx_v, CodeRamBits_c));
                end if;
                v.I := r.I + 1;
            else
                -- i = D and j = K - 1: the sweep is complete
                if r.FinalPass = '0' then
                    Ctrl_v.AccWrEna := '1';
                    v.State         := UpdateSetup_s;
                else
                    v.HeaderWord := (others => '0');
                    v.J          := (others => '0');
                    v.State      := OutHeader_s;
                end if;
            end if;

        elsif r.State = UpdateSetup_s then
            v.J       := (others => '0');
            v.Changed := '0';
            v.State   := UpdateLoad_s;

        elsif r.State = UpdateLoad_s then
            -- AccRdData = (S_j, M_j), CentRdA = c_j. The divider compares with the divisor 2 M_j
            -- shifted left by W - 1 bits, one bit fewer than the W quotient bits, which is M_j
            -- shifted by W.
            v.Sum     := signed(AccRdData(SumBits_c + CntBits_c - 1 downto CntBits_c));
            v.Members := unsigned(AccRdData(CntBits_c - 1 downto 0));
            if v.Sum < 0 then
                AbsSum_v := unsigned(-v.Sum);
            else
                AbsSum_v := unsigned(v.Sum);
            end if;
            Num_v      := shift_left(resize(AbsSum_v, NumBits_c), 1) + v.Members;
            v.DivRem   := resize(Num_v, DivBits_c);
            v.DivDen   := shift_left(resize(v.Members, DivBits_c), Width_g);
            v.DivQuo   := (others => '0');
            v.DivSteps := to_unsigned(Width_g, StepBits_c);
            v.UpdNeg   := v.Sum(SumBits_c - 1);
            if v.Members = 0 then
                v.UpdEmpty := '1';
            else
                v.UpdEmpty := '0';
            end if;
            v.UpdOld   := CentRdA;
            v.State    := UpdateDiv_s;

        elsif r.State = UpdateWrite_s then
            -- An empty centroid keeps its value.
            if r.UpdEmpty = '0' then
                if r.UpdNeg = '1' then
                    NewCent_v := resize(-signed(resize(r.DivQuo, Width_g + 1)), Width_g);
                else
                    NewCent_v := signed(resize(r.DivQuo, Width_g));
                end if;
                Ctrl_v.CentWrEna  := '1';
                Ctrl_v.CentWrAddr := r.J;
                Ctrl_v.CentWrData := NewCent_v;
                if NewCent_v /= r.UpdOld then
                    v.Changed := '1';
                end if;
            end if;
            if r.J = r.K - 1 then
                v.Iter := r.Iter + 1;
                if v.Changed = '0' then
                    v.Converged := '1';
                    v.FinalPass := '1';
                elsif r.Iter + 1 = r.MaxIter then
                    v.Converged := '0';
                    v.FinalPass := '1';
                else
                    v.FinalPass := '0';
                end if;
                v.State := SweepSetup_s;
            else
                v.J     := r.J + 1;
                v.State := UpdateLoad_s;
            end if;

        elsif r.State = OutHeader_s then
            OutValid_v := '1';
            if r.HeaderWord = 0 then
                OutData_v := std_logic_vector(resize(r.KEff, OutBits_c));
            elsif r.HeaderWord = 1 then
                OutData_v := std_logic_vector(resize(r.Iter, OutBits_c));
            else
                OutData_v := (0 => r.Converged, others => '0');
            end if;
            if r.HeaderWord = 2 then
                OutLast_v := r.Err;
            end if;
            if Out_Ready = '1' then
                v.HeaderWord := r.HeaderWord + 1;
                if r.HeaderWord = 2 then
                    if r.Err = '1' then
                        v.ScanAddr := (others => '0');
                        v.State    := ClearAll_s;
                    else
                        v.State := OutCodebook_s;
                    end if;
                end if;
            end if;

        elsif r.State = OutCodebook_s then
            OutValid_v := '1';
            OutData_v  := std_logic_vector(resize(CentRdA, OutBits_c));
            if Out_Ready = '1' then
                v.J := r.J + 1;
                if r.J = r.KEff - 1 then
                    v.IssueN    := (others => '0');
                    v.Stage1Vld := '0';
                    v.Stage2Vld := '0';
                    v.OutN      := (others => '0');
                    v.State     := OutIndex_s;
                end if;
            end if;

        elsif r.State = OutIndex_s then
            -- Stage 1 reads the weight's code from the input buffer, stage 2 reads the
            -- code's index from the code RAM. A stalled output holds both RAM outputs.
            OutValid_v := r.Stage2Vld;
            OutData_v  := std_logic_vector(resize(unsigned(CodeRdData), OutBits_c));
            if r.OutN = r.N - 1 then
                OutLast_v := r.Stage2Vld;
            end if;
            Stall_v := r.Stage2Vld and not Out_Ready;
            if Stall_v = '1' then
                Ctrl_v.BufRdEna  := '0';
                Ctrl_v.CodeRdEna := '0';
            else
                Ctrl_v.BufRdAddr := resize(r.IssueN, NIdxBits_c);
                if r.IssueN /= r.N then
                    v.Stage1Vld := '1';
                    v.IssueN    := r.IssueN + 1;
                else
                    v.Stage1Vld := '0';
                end if;
                if r.Stage1Vld = '1' then
                    Ctrl_v.CodeRdAddr := code_to_addr(signed(BufRdData));
                end if;
                v.Stage2Vld := r.Stage1Vld;
            end if;
            if r.Stage2Vld = '1' and Out_Ready = '1' then
                v.OutN := r.OutN + 1;
                if r.OutN = r.N - 1 then
                    v.I     := (others => '0');
                    v.State := Cleanup_s;
                end if;
            end if;

        elsif r.State = Cleanup_s then
            -- Only the distinct codes' entries are nonzero, so clearing them leaves the whole
            -- code RAM zero for the next run.
            Ctrl_v.CodeWrEna  := '1';
            Ctrl_v.CodeWrAddr := code_to_addr(DistCode_v);
            Ctrl_v.CodeWrData := (others => '0');
            v.I               := r.I + 1;
            if r.I = r.D - 1 then
                v.State     := Input_s;
                v.DonePulse := '1';
                v.First     := '1';
                v.N         := (others => '0');
                v.LastWrVld := '0';
            end if;
        end if;

        -- Read addresses follow the next state, so data for I and J is ready one cycle later.
        Ctrl_v.DistRdAddr  := resize(v.I, DIdxBits_c);
        Ctrl_v.CentRdAddrA := v.J;
        Ctrl_v.CentRdAddrB := v.J + 1;
        Ctrl_v.AccRdAddr   := v.J;

        -- outputs
        In_Ready  <= InReady_v;
        Out_Valid <= OutValid_v;
        Out_Data  <= OutData_v;
        Out_Last  <= OutLast_v;
        Ram       <= Ctrl_v;

        -- apply to record
        r_next <= v;
    end process;

    Done <= r.DonePulse;

    -----------------------------------------------------------------------------------------------
    -- Sequential
    -----------------------------------------------------------------------------------------------
    p_seq : process (Clk) is
    begin
        if rising_edge(Clk) then
            r <= r_next;
            if Rst = '1' then
                r.State     <= ClearAll_s;
                r.ScanAddr  <= (others => '0');
                r.Err       <= '0';
                r.First     <= '1';
                r.DonePulse <= '0';
                r.CntPend   <= '0';
                r.ScanPend  <= '0';
                r.Stage1Vld <= '0';
                r.Stage2Vld <= '0';
                r.I         <= (others => '0');
                r.J         <= (others => '0');
            end if;
        end if;
    end process;

    -----------------------------------------------------------------------------------------------
    -- RAMs
    -----------------------------------------------------------------------------------------------

    -- Code RAM, one entry per possible code: the count while weights arrive, the codebook index
    -- once the final sweep has run.
    p_code_ram : process (Clk) is
        type Mem_t is array (0 to 2**Width_g - 1) of std_logic_vector(CodeRamBits_c - 1 downto 0);
        variable Mem_v : Mem_t;
    begin
        if rising_edge(Clk) then
            if Ram.CodeRdEna = '1' then
                CodeRdData <= Mem_v(to_integer(Ram.CodeRdAddr));
            end if;
            if Ram.CodeWrEna = '1' then
                Mem_v(to_integer(Ram.CodeWrAddr)) := Ram.CodeWrData;
            end if;
        end if;
    end process;

    -- Input buffer: the weight codes in input order
    p_buf_ram : process (Clk) is
        type Mem_t is array (0 to 2**NIdxBits_c - 1) of std_logic_vector(Width_g - 1 downto 0);
        variable Mem_v : Mem_t;
    begin
        if rising_edge(Clk) then
            if Ram.BufRdEna = '1' then
                BufRdData <= Mem_v(to_integer(Ram.BufRdAddr));
            end if;
            if Ram.BufWrEna = '1' then
                Mem_v(to_integer(Ram.BufWrAddr)) := In_Data;
            end if;
        end if;
    end process;

    -- Distinct list: (v_i, m_i) sorted by code
    p_dist_ram : process (Clk) is
        type Mem_t is array (0 to 2**DIdxBits_c - 1) of std_logic_vector(Width_g + CntBits_c - 1 downto 0);
        variable Mem_v : Mem_t;
    begin
        if rising_edge(Clk) then
            DistRdData <= Mem_v(to_integer(Ram.DistRdAddr));
            if Ram.DistWrEna = '1' then
                Mem_v(to_integer(Ram.DistWrAddr)) := Ram.DistWrData;
            end if;
        end if;
    end process;

    -- Centroids, two read ports for c_j and c_(j+1); after the final sweep, the codebook
    p_cent_ram : process (Clk) is
        type Mem_t is array (0 to 2**KIdxBits_c - 1) of signed(Width_g - 1 downto 0);
        variable Mem_v : Mem_t;
    begin
        if rising_edge(Clk) then
            CentRdA <= Mem_v(to_integer(Ram.CentRdAddrA));
            CentRdB <= Mem_v(to_integer(Ram.CentRdAddrB));
            if Ram.CentWrEna = '1' then
                Mem_v(to_integer(Ram.CentWrAddr)) := Ram.CentWrData;
            end if;
        end if;
    end process;

    -- Cluster sums and member counts (S_j, M_j) of the current iteration
    p_acc_ram : process (Clk) is
        type Mem_t is array (0 to 2**KIdxBits_c - 1) of std_logic_vector(SumBits_c + CntBits_c - 1 downto 0);
        variable Mem_v : Mem_t;
    begin
        if rising_edge(Clk) then
            AccRdData <= Mem_v(to_integer(Ram.AccRdAddr));
            if Ram.AccWrEna = '1' then
                Mem_v(to_integer(Ram.AccWrAddr)) := Ram.AccWrData;
            end if;
        end if;
    end process;

end architecture;
