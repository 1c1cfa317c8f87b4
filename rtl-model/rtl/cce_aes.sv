// SPDX-License-Identifier: MIT
// cce_aes: AES-128 / AES-256 (FIPS 197) encrypt and decrypt of 16-byte
// blocks, iterative, one round per clock, key expansion in hardware.
// Bit-identical to cce::datapath::Aes (encrypt_block / decrypt_block).
//
// Byte order: every 128/256-bit vector carries byte k of the FIPS byte
// string in bits [8k +: 8] (so a little-endian host copies bytes straight
// into the vector).
//
// Interface (clk rising edge, rst synchronous active-high):
//   key_valid/key_ready  load a key: key[255:0] (key256 = 0 uses the low 16
//                        bytes). The round keys are expanded into a 15 x 128
//                        register file at one round key per cycle: 10 cycles
//                        (AES-128) / 13 cycles (AES-256) after the accepting
//                        cycle. key_ready and in_ready are low meanwhile.
//                        A key stays loaded until the next key load or reset.
//   in_valid/in_ready    one block per beat: in_data[127:0], in_decrypt
//                        (0 = cipher, 1 = inverse cipher)
//   out_valid/out_ready  out_data[127:0], held until taken
// Timing: the accepting cycle does the initial AddRoundKey, then Nr round
// cycles (10 / 14). The next block is accepted in the cycle its predecessor
// is taken (out_ready high), so a stream runs at Nr + 1 = 11 / 15 cycles per
// block (1.45 / 1.07 B/cycle); latency Nr + 1 cycles from accept to
// out_valid. The inverse cipher runs InvShiftRows, InvSubBytes,
// AddRoundKey, InvMixColumns per round with the encryption round keys in
// reverse order (no separate decryption schedule needed).
module cce_aes (
    input  logic         clk,
    input  logic         rst,
    input  logic         key_valid,
    output logic         key_ready,
    input  logic [255:0] key,
    input  logic         key256,
    input  logic         in_valid,
    output logic         in_ready,
    input  logic [127:0] in_data,
    input  logic         in_decrypt,
    output logic         out_valid,
    input  logic         out_ready,
    output logic [127:0] out_data
);
    localparam logic [7:0] SBOX [256] = '{
        8'h63, 8'h7c, 8'h77, 8'h7b, 8'hf2, 8'h6b, 8'h6f, 8'hc5, 8'h30, 8'h01, 8'h67, 8'h2b, 8'hfe, 8'hd7, 8'hab, 8'h76,
        8'hca, 8'h82, 8'hc9, 8'h7d, 8'hfa, 8'h59, 8'h47, 8'hf0, 8'had, 8'hd4, 8'ha2, 8'haf, 8'h9c, 8'ha4, 8'h72, 8'hc0,
        8'hb7, 8'hfd, 8'h93, 8'h26, 8'h36, 8'h3f, 8'hf7, 8'hcc, 8'h34, 8'ha5, 8'he5, 8'hf1, 8'h71, 8'hd8, 8'h31, 8'h15,
        8'h04, 8'hc7, 8'h23, 8'hc3, 8'h18, 8'h96, 8'h05, 8'h9a, 8'h07, 8'h12, 8'h80, 8'he2, 8'heb, 8'h27, 8'hb2, 8'h75,
        8'h09, 8'h83, 8'h2c, 8'h1a, 8'h1b, 8'h6e, 8'h5a, 8'ha0, 8'h52, 8'h3b, 8'hd6, 8'hb3, 8'h29, 8'he3, 8'h2f, 8'h84,
        8'h53, 8'hd1, 8'h00, 8'hed, 8'h20, 8'hfc, 8'hb1, 8'h5b, 8'h6a, 8'hcb, 8'hbe, 8'h39, 8'h4a, 8'h4c, 8'h58, 8'hcf,
        8'hd0, 8'hef, 8'haa, 8'hfb, 8'h43, 8'h4d, 8'h33, 8'h85, 8'h45, 8'hf9, 8'h02, 8'h7f, 8'h50, 8'h3c, 8'h9f, 8'ha8,
        8'h51, 8'ha3, 8'h40, 8'h8f, 8'h92, 8'h9d, 8'h38, 8'hf5, 8'hbc, 8'hb6, 8'hda, 8'h21, 8'h10, 8'hff, 8'hf3, 8'hd2,
        8'hcd, 8'h0c, 8'h13, 8'hec, 8'h5f, 8'h97, 8'h44, 8'h17, 8'hc4, 8'ha7, 8'h7e, 8'h3d, 8'h64, 8'h5d, 8'h19, 8'h73,
        8'h60, 8'h81, 8'h4f, 8'hdc, 8'h22, 8'h2a, 8'h90, 8'h88, 8'h46, 8'hee, 8'hb8, 8'h14, 8'hde, 8'h5e, 8'h0b, 8'hdb,
        8'he0, 8'h32, 8'h3a, 8'h0a, 8'h49, 8'h06, 8'h24, 8'h5c, 8'hc2, 8'hd3, 8'hac, 8'h62, 8'h91, 8'h95, 8'he4, 8'h79,
        8'he7, 8'hc8, 8'h37, 8'h6d, 8'h8d, 8'hd5, 8'h4e, 8'ha9, 8'h6c, 8'h56, 8'hf4, 8'hea, 8'h65, 8'h7a, 8'hae, 8'h08,
        8'hba, 8'h78, 8'h25, 8'h2e, 8'h1c, 8'ha6, 8'hb4, 8'hc6, 8'he8, 8'hdd, 8'h74, 8'h1f, 8'h4b, 8'hbd, 8'h8b, 8'h8a,
        8'h70, 8'h3e, 8'hb5, 8'h66, 8'h48, 8'h03, 8'hf6, 8'h0e, 8'h61, 8'h35, 8'h57, 8'hb9, 8'h86, 8'hc1, 8'h1d, 8'h9e,
        8'he1, 8'hf8, 8'h98, 8'h11, 8'h69, 8'hd9, 8'h8e, 8'h94, 8'h9b, 8'h1e, 8'h87, 8'he9, 8'hce, 8'h55, 8'h28, 8'hdf,
        8'h8c, 8'ha1, 8'h89, 8'h0d, 8'hbf, 8'he6, 8'h42, 8'h68, 8'h41, 8'h99, 8'h2d, 8'h0f, 8'hb0, 8'h54, 8'hbb, 8'h16
    };
    localparam logic [7:0] ISBOX [256] = '{
        8'h52, 8'h09, 8'h6a, 8'hd5, 8'h30, 8'h36, 8'ha5, 8'h38, 8'hbf, 8'h40, 8'ha3, 8'h9e, 8'h81, 8'hf3, 8'hd7, 8'hfb,
        8'h7c, 8'he3, 8'h39, 8'h82, 8'h9b, 8'h2f, 8'hff, 8'h87, 8'h34, 8'h8e, 8'h43, 8'h44, 8'hc4, 8'hde, 8'he9, 8'hcb,
        8'h54, 8'h7b, 8'h94, 8'h32, 8'ha6, 8'hc2, 8'h23, 8'h3d, 8'hee, 8'h4c, 8'h95, 8'h0b, 8'h42, 8'hfa, 8'hc3, 8'h4e,
        8'h08, 8'h2e, 8'ha1, 8'h66, 8'h28, 8'hd9, 8'h24, 8'hb2, 8'h76, 8'h5b, 8'ha2, 8'h49, 8'h6d, 8'h8b, 8'hd1, 8'h25,
        8'h72, 8'hf8, 8'hf6, 8'h64, 8'h86, 8'h68, 8'h98, 8'h16, 8'hd4, 8'ha4, 8'h5c, 8'hcc, 8'h5d, 8'h65, 8'hb6, 8'h92,
        8'h6c, 8'h70, 8'h48, 8'h50, 8'hfd, 8'hed, 8'hb9, 8'hda, 8'h5e, 8'h15, 8'h46, 8'h57, 8'ha7, 8'h8d, 8'h9d, 8'h84,
        8'h90, 8'hd8, 8'hab, 8'h00, 8'h8c, 8'hbc, 8'hd3, 8'h0a, 8'hf7, 8'he4, 8'h58, 8'h05, 8'hb8, 8'hb3, 8'h45, 8'h06,
        8'hd0, 8'h2c, 8'h1e, 8'h8f, 8'hca, 8'h3f, 8'h0f, 8'h02, 8'hc1, 8'haf, 8'hbd, 8'h03, 8'h01, 8'h13, 8'h8a, 8'h6b,
        8'h3a, 8'h91, 8'h11, 8'h41, 8'h4f, 8'h67, 8'hdc, 8'hea, 8'h97, 8'hf2, 8'hcf, 8'hce, 8'hf0, 8'hb4, 8'he6, 8'h73,
        8'h96, 8'hac, 8'h74, 8'h22, 8'he7, 8'had, 8'h35, 8'h85, 8'he2, 8'hf9, 8'h37, 8'he8, 8'h1c, 8'h75, 8'hdf, 8'h6e,
        8'h47, 8'hf1, 8'h1a, 8'h71, 8'h1d, 8'h29, 8'hc5, 8'h89, 8'h6f, 8'hb7, 8'h62, 8'h0e, 8'haa, 8'h18, 8'hbe, 8'h1b,
        8'hfc, 8'h56, 8'h3e, 8'h4b, 8'hc6, 8'hd2, 8'h79, 8'h20, 8'h9a, 8'hdb, 8'hc0, 8'hfe, 8'h78, 8'hcd, 8'h5a, 8'hf4,
        8'h1f, 8'hdd, 8'ha8, 8'h33, 8'h88, 8'h07, 8'hc7, 8'h31, 8'hb1, 8'h12, 8'h10, 8'h59, 8'h27, 8'h80, 8'hec, 8'h5f,
        8'h60, 8'h51, 8'h7f, 8'ha9, 8'h19, 8'hb5, 8'h4a, 8'h0d, 8'h2d, 8'he5, 8'h7a, 8'h9f, 8'h93, 8'hc9, 8'h9c, 8'hef,
        8'ha0, 8'he0, 8'h3b, 8'h4d, 8'hae, 8'h2a, 8'hf5, 8'hb0, 8'hc8, 8'heb, 8'hbb, 8'h3c, 8'h83, 8'h53, 8'h99, 8'h61,
        8'h17, 8'h2b, 8'h04, 8'h7e, 8'hba, 8'h77, 8'hd6, 8'h26, 8'he1, 8'h69, 8'h14, 8'h63, 8'h55, 8'h21, 8'h0c, 8'h7d
    };

    function automatic logic [7:0] xt(input logic [7:0] b);  // b * x in GF(2^8)
        return {b[6:0], 1'b0} ^ (b[7] ? 8'h1b : 8'h00);
    endfunction

    function automatic logic [31:0] sub_word(input logic [31:0] w);
        return {SBOX[w[31:24]], SBOX[w[23:16]], SBOX[w[15:8]], SBOX[w[7:0]]};
    endfunction

    // Column c is bytes 4c..4c+3 = bits [32c +: 32], row r = byte 4c+r.
    function automatic logic [31:0] mix_col(input logic [31:0] c);
        logic [7:0] a0, a1, a2, a3;
        a0 = c[7:0]; a1 = c[15:8]; a2 = c[23:16]; a3 = c[31:24];
        return {xt(a0) ^ a0 ^ a1 ^ a2 ^ xt(a3),
                xt(a2) ^ xt(a3) ^ a3 ^ a0 ^ a1,
                xt(a1) ^ xt(a2) ^ a2 ^ a3 ^ a0,
                xt(a0) ^ xt(a1) ^ a1 ^ a2 ^ a3};
    endfunction

    function automatic logic [31:0] inv_mix_col(input logic [31:0] c);
        logic [7:0] a [4];
        logic [7:0] x2 [4];
        logic [7:0] x4 [4];
        logic [7:0] x8 [4];
        logic [7:0] m9 [4];
        logic [7:0] mb [4];
        logic [7:0] md [4];
        logic [7:0] me [4];
        logic [31:0] r;
        for (int i = 0; i < 4; i++) begin
            a[i]  = c[8*i +: 8];
            x2[i] = xt(a[i]);
            x4[i] = xt(x2[i]);
            x8[i] = xt(x4[i]);
            m9[i] = x8[i] ^ a[i];
            mb[i] = x8[i] ^ x2[i] ^ a[i];
            md[i] = x8[i] ^ x4[i] ^ a[i];
            me[i] = x8[i] ^ x4[i] ^ x2[i];
        end
        for (int i = 0; i < 4; i++)
            r[8*i +: 8] = me[i] ^ mb[(i + 1) % 4] ^ md[(i + 2) % 4] ^ m9[(i + 3) % 4];
        return r;
    endfunction

    // Encryption round body: SubBytes, ShiftRows, (MixColumns unless last).
    function automatic logic [127:0] enc_round(input logic [127:0] s, input logic last);
        logic [127:0] t;
        logic [127:0] m;
        // ShiftRows: new byte (c, r) = old byte ((c + r) mod 4, r).
        for (int c = 0; c < 4; c++)
            for (int r = 0; r < 4; r++)
                t[8*(4*c + r) +: 8] = SBOX[s[8*(4*((c + r) % 4) + r) +: 8]];
        for (int c = 0; c < 4; c++) m[32*c +: 32] = mix_col(t[32*c +: 32]);
        return last ? t : m;
    endfunction

    // Decryption: InvShiftRows + InvSubBytes (caller adds the round key and
    // applies InvMixColumns unless last).
    function automatic logic [127:0] inv_sub_shift(input logic [127:0] s);
        logic [127:0] t;
        for (int c = 0; c < 4; c++)
            for (int r = 0; r < 4; r++)
                t[8*(4*((c + r) % 4) + r) +: 8] = ISBOX[s[8*(4*c + r) +: 8]];
        return t;
    endfunction

    function automatic logic [127:0] inv_mix(input logic [127:0] s);
        logic [127:0] m;
        for (int c = 0; c < 4; c++) m[32*c +: 32] = inv_mix_col(s[32*c +: 32]);
        return m;
    endfunction

    function automatic logic [7:0] rcon(input logic [3:0] i);  // i = 1..10
        case (i)
            4'd1: return 8'h01;
            4'd2: return 8'h02;
            4'd3: return 8'h04;
            4'd4: return 8'h08;
            4'd5: return 8'h10;
            4'd6: return 8'h20;
            4'd7: return 8'h40;
            4'd8: return 8'h80;
            4'd9: return 8'h1b;
            4'd10: return 8'h36;
            default: return 8'h00;
        endcase
    endfunction

    typedef enum logic [1:0] { S_IDLE, S_KEY, S_RUN, S_DONE } state_t;

    state_t       st_q;
    logic         keyed_q;      // a key schedule is loaded
    logic         k256_q;
    logic [127:0] rk_q [15];    // round keys 0..Nr
    logic [255:0] kwin_q;       // key expansion window: last Nk words (low = oldest)
    logic [3:0]   kidx_q;       // next round key index being generated
    logic [3:0]   rnd_q;        // round counter 1..Nr
    logic         dec_q;
    logic [127:0] s_q;          // cipher state
    logic [3:0]   nr;

    assign nr = k256_q ? 4'd14 : 4'd10;

    // ---- key expansion: one round key (4 words) per cycle -----------------
    // Round key i is words 4i..4i+3. With Nk = 4 the previous 4 words are
    // kwin_q[127:0]; with Nk = 8 the previous 8 words are kwin_q[255:0].
    logic [127:0] rk_new;
    always_comb begin
        logic [31:0] prev;       // w[4i - 1]
        logic [31:0] temp;
        logic [31:0] w [4];
        logic [31:0] old [4];    // w[4i - Nk + j]
        if (k256_q) begin
            prev = kwin_q[255:224];
            for (int j = 0; j < 4; j++) old[j] = kwin_q[32*j +: 32];
            if (kidx_q[0] == 1'b0)  // 4i % 8 == 0
                temp = sub_word({prev[7:0], prev[31:8]}) ^ {24'h0, rcon({1'b0, kidx_q[3:1]})};
            else
                temp = sub_word(prev);
        end else begin
            prev = kwin_q[127:96];
            for (int j = 0; j < 4; j++) old[j] = kwin_q[32*j +: 32];
            temp = sub_word({prev[7:0], prev[31:8]}) ^ {24'h0, rcon(kidx_q)};
        end
        w[0] = old[0] ^ temp;
        for (int j = 1; j < 4; j++) w[j] = old[j] ^ w[j - 1];
        rk_new = {w[3], w[2], w[1], w[0]};
    end

    // ---- datapath -----------------------------------------------------------
    logic [127:0] enc_next;
    logic [127:0] dec_next;
    logic         last_round;
    logic [3:0]   dec_rk_idx;
    logic [127:0] dec_t;
    assign last_round = (rnd_q == nr);
    assign enc_next   = enc_round(s_q, last_round) ^ rk_q[rnd_q];
    assign dec_rk_idx = nr - rnd_q;
    assign dec_t      = inv_sub_shift(s_q) ^ rk_q[dec_rk_idx];
    assign dec_next   = last_round ? dec_t : inv_mix(dec_t);

    logic take_out;
    assign take_out  = (st_q == S_DONE) && out_ready;
    assign out_valid = (st_q == S_DONE);
    assign out_data  = s_q;
    assign key_ready = (st_q == S_IDLE) || take_out;
    assign in_ready  = keyed_q && ((st_q == S_IDLE) || take_out) && !key_valid;

    logic in_fire, key_fire;
    assign key_fire = key_valid && key_ready;
    // A key load wins over a block offered in the same cycle (in_ready is
    // low while key_valid is high).
    assign in_fire  = in_valid && in_ready;

    always_ff @(posedge clk) begin
        if (rst) begin
            st_q    <= S_IDLE;
            keyed_q <= 1'b0;
            k256_q  <= 1'b0;
            kwin_q  <= 256'h0;
            kidx_q  <= 4'd0;
            rnd_q   <= 4'd0;
            dec_q   <= 1'b0;
            s_q     <= 128'h0;
            for (int i = 0; i < 15; i++) rk_q[i] <= 128'h0;
        end else begin
            case (st_q)
                S_KEY: begin
                    rk_q[kidx_q] <= rk_new;
                    if (k256_q) kwin_q <= {rk_new, kwin_q[255:128]};
                    else        kwin_q <= {128'h0, rk_new};
                    kidx_q <= kidx_q + 4'd1;
                    if (kidx_q == nr) begin
                        st_q    <= S_IDLE;
                        keyed_q <= 1'b1;
                    end
                end
                S_RUN: begin
                    s_q   <= dec_q ? dec_next : enc_next;
                    rnd_q <= rnd_q + 4'd1;
                    if (last_round) st_q <= S_DONE;
                end
                S_DONE: if (out_ready) st_q <= S_IDLE;
                default: ;
            endcase
            if (key_fire) begin
                keyed_q <= 1'b0;
                k256_q  <= key256;
                rk_q[0] <= key[127:0];
                if (key256) begin
                    rk_q[1] <= key[255:128];
                    kwin_q  <= key;
                    kidx_q  <= 4'd2;
                end else begin
                    kwin_q  <= {128'h0, key[127:0]};
                    kidx_q  <= 4'd1;
                end
                st_q <= S_KEY;
            end else if (in_fire) begin
                dec_q <= in_decrypt;
                s_q   <= in_data ^ (in_decrypt ? rk_q[nr] : rk_q[0]);
                rnd_q <= 4'd1;
                st_q  <= S_RUN;
            end
        end
    end
endmodule
