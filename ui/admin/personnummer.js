// Swedish personnummer / samordningsnummer, the same rules as shared-model's Personnummer::parse:
// six accepted shapes, Luhn over YYMMDDNNNC, birth number not 000, a real date (day − 60 for a
// samordningsnummer) not after today, and the K3 century rule for the 10-digit forms.
// Returns null when valid, else a reason id (admin.pnr.*).
export function personnummerProblem(input, today = new Date()) {
  const s = String(input).trim();
  const digits = (x) => /^[0-9]+$/.test(x);
  let century = null, ten, sep = '-';
  if (s.length === 10 && digits(s)) ten = s;
  else if (s.length === 11 && digits(s.slice(0, 6)) && digits(s.slice(7)) && '-+'.includes(s[6])) { ten = s.slice(0, 6) + s.slice(7); sep = s[6]; }
  else if (s.length === 12 && digits(s)) { century = +s.slice(0, 2); ten = s.slice(2); }
  else if (s.length === 13 && digits(s.slice(0, 8)) && digits(s.slice(9)) && '-+'.includes(s[8])) { century = +s.slice(0, 2); ten = s.slice(2, 8) + s.slice(9); }
  else return 'admin.pnr.format';
  const d = [...ten].map(Number);
  const sum = d.reduce((acc, x, i) => { const p = x * (i % 2 === 0 ? 2 : 1); return acc + Math.floor(p / 10) + (p % 10); }, 0);
  if (sum % 10 !== 0) return 'admin.pnr.check_digit';
  if (ten.slice(6, 9) === '000') return 'admin.pnr.birth_number';
  const yy = +ten.slice(0, 2), month = +ten.slice(2, 4), day = +ten.slice(4, 6);
  let year;
  if (century !== null) year = century * 100 + yy;
  else {
    const limit = sep === '-' ? today.getFullYear() : today.getFullYear() - 100;
    year = limit - (((limit - yy) % 100) + 100) % 100;
  }
  const realDay = day > 60 ? day - 60 : day;
  const date = new Date(Date.UTC(year, month - 1, realDay));
  if (year < 0 || month < 1 || month > 12 || realDay < 1 || date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== realDay) return 'admin.pnr.date';
  const todayUtc = Date.UTC(today.getFullYear(), today.getMonth(), today.getDate());
  if (date.getTime() > todayUtc) return 'admin.pnr.future';
  return null;
}
