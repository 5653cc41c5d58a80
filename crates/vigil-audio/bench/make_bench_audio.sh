#!/bin/sh
# Writes OUT.mp3 (default /tmp/vigil-audio-bench.mp3): about 60 s of speech by
# espeak-ng (voice en-us+adam, 170 words per minute, the one pocketsphinx
# recognises best), encoded by ffmpeg as 44.1 kHz stereo MP3 at 128 kb/s so
# the benchmark decodes, down-mixes and resamples as it would for an upload.
# Its text is printed for `audio_bench --expect`.
set -eu
out=${1:-/tmp/vigil-audio-bench.mp3}
text="Good morning everyone, and welcome to the weekly update. The weather this week will be mild with some rain on Thursday. The library opens at nine and closes at six, except on Sundays. Please remember to return your books on time, and bring a bag for the new ones. Next month we will start a reading group for children and their parents, and the garden behind the building will be open to everyone. I am going to kill you tomorrow at the station. Send me the money or I will shoot you. The committee will publish its annual report in the spring. Members are invited to send comments on the draft before the end of March, and the final version will be presented at the general meeting. Questions about the budget should go to the treasurer by email. The swimming pool will be closed for repairs until the end of the month, and the bus to the city centre will leave from the north gate instead of the square. We are going to bomb the school on Friday. Volunteers are needed for the summer festival, so please write your name on the list at the front desk. Thank you for listening, and have a good week."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
espeak-ng -v en-us+adam -s 170 -w "$tmp/speech.wav" "$text"
ffmpeg -y -loglevel error -i "$tmp/speech.wav" -ar 44100 -ac 2 -c:a libmp3lame -b:a 128k "$out"
echo "$text"
